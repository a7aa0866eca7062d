import type { ServerResponse } from 'node:http';
import { type ModelRequest, ModelError } from '../model.js';
import { type ClientRequest, encodeReply, replyId } from '../protocols/encode-reply.js';
import { errorBody } from '../protocols/error-body.js';
import { sseFrame } from '../protocols/reply-parts.js';
import { streamErrorEvents } from '../protocols/stream-error.js';
import type { LeaseOptions } from './lease.js';
import { replyPartsOf } from './reply-parts-of.js';

let served = 0;

/**
 * Answers one client request through the lease's model: refused when the budget is spent, sent
 * upstream as chat completions (the model applies limiter, retries and the user's key), the reply
 * encoded back in the client's protocol and its usage reported. A client that hangs up aborts the
 * upstream call.
 */
export async function serveRequest(req: ClientRequest, lease: LeaseOptions, res: ServerResponse, keepAliveMs = 5_000): Promise<void> {
  const refusal = lease.admit?.();
  if (refusal) return sendJson(res, 400, errorBody(req.protocol, 400, `caid: ${refusal}`, 'budget_exceeded'));

  const abort = new AbortController();
  res.once('close', () => { if (!res.writableEnded) abort.abort(); });
  const window = lease.model.contextWindow;
  // A CLI asks for its own default (claude: 32,000) whatever the server; a cap the upstream cannot hold is left to the model's own.
  const maxTokens = req.maxTokens !== undefined && (window === undefined || req.maxTokens <= window / 4) ? req.maxTokens : undefined;
  const request: ModelRequest = { messages: req.messages, tools: req.tools, signal: abort.signal, ...(maxTokens ? { maxTokens } : {}) };
  // The whole reply comes from the upstream at once; a streaming client that hears nothing for
  // minutes (a slow local model) may give up, so its stream opens early and SSE comments keep it alive.
  const keepAlive = req.stream ? keepStreamAlive(res, keepAliveMs) : undefined;
  let reply;
  try {
    reply = await lease.model.complete(request);
  } catch (err) {
    keepAlive?.stop();
    if (abort.signal.aborted) return;
    const e = err instanceof ModelError ? err : new ModelError(err instanceof Error ? err.message : String(err));
    // Retries already happened upstream: a 5xx or network failure is a bad gateway to the client.
    const status = e.status !== undefined && e.status >= 400 && e.status < 500 ? e.status : 502;
    const message = `upstream model: ${e.message}`;
    if (res.headersSent) return void res.end(streamErrorEvents(req.protocol, status, message).map(sseFrame).join(''));
    return sendJson(res, status, errorBody(req.protocol, status, message));
  }
  keepAlive?.stop();
  const model = req.model || lease.model.name;
  lease.onUsage?.(reply.usage, { protocol: req.protocol, model: lease.model.name });
  const meta = { id: replyId(req.protocol, `caid${++served}`), model, created: Math.floor(Date.now() / 1000) };
  const out = encodeReply(req, replyPartsOf(reply), meta);
  if ('json' in out) return sendJson(res, 200, out.json);
  if (!res.headersSent) openStream(res);
  for (const e of out.events) res.write(sseFrame(e));
  res.end();
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const openStream = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
};

/** After `ms` without a reply: the stream's headers, then an SSE comment (ignored by every client) every `ms`. */
function keepStreamAlive(res: ServerResponse, ms: number): { stop(): void } {
  const timer = setInterval(() => {
    if (!res.headersSent) openStream(res);
    res.write(': keep-alive\n\n');
  }, ms);
  return { stop: () => clearInterval(timer) };
}

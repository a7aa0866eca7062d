import type { ServerResponse } from 'node:http';
import { failedRequestUsage } from '../failed-usage.js';
import { type ModelRequest, ModelError } from '../model.js';
import { type ClientRequest, encodeReply, replyId } from '../protocols/encode-reply.js';
import { errorBody } from '../protocols/error-body.js';
import type { LeaseOptions } from './lease.js';
import { replyPartsOf } from './reply-parts-of.js';
import { serveStream } from './serve-stream.js';
import { sendJson } from './sse-response.js';

let served = 0;

/**
 * Answers one client request through the lease's model: refused when the budget is spent, sent
 * upstream as chat completions (the model applies limiter, retries and the user's key), the reply
 * encoded back in the client's protocol (a streaming client's as it is generated) and its usage
 * reported. A client that hangs up aborts the upstream call.
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
  const meta = { id: replyId(req.protocol, `caid${++served}`), model: req.model || lease.model.name, created: Math.floor(Date.now() / 1000) };
  if (req.stream) return serveStream(req, lease, res, { request, abort, meta, keepAliveMs });
  let reply;
  try {
    reply = await lease.model.complete(request);
  } catch (err) {
    if (abort.signal.aborted) {
      // The client hung up; what the upstream read and generated until then was still spent.
      const spent = failedRequestUsage(err);
      if (spent) lease.onUsage?.({ ...spent, estimated: true }, { protocol: req.protocol, model: lease.model.name });
      return;
    }
    const e = err instanceof ModelError ? err : new ModelError(err instanceof Error ? err.message : String(err));
    // Retries already happened upstream: a 5xx or network failure is a bad gateway to the client.
    const status = e.status !== undefined && e.status >= 400 && e.status < 500 ? e.status : 502;
    return sendJson(res, status, errorBody(req.protocol, status, `upstream model: ${e.message}`));
  }
  lease.onUsage?.(reply.usage, { protocol: req.protocol, model: lease.model.name });
  const out = encodeReply(req, replyPartsOf(reply), meta);
  sendJson(res, 200, 'json' in out ? out.json : {});
}

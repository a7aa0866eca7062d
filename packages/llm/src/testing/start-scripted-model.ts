import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completionBody, completionChunks } from './completion-payloads.js';
import { type Conversation, toConversation } from './conversation.js';
import type { ScriptedReply, ScriptRule } from './script-rule.js';
import { toWireReply } from './wire-reply.js';

export interface ScriptedModelServer {
  /** Base URL for the openai SDK, ending in /v1, e.g. http://127.0.0.1:PORT/v1. */
  url: string;
  /** Every chat-completion request, in arrival order; `rule` is the answering rule, if any. */
  requests: { conversation: Conversation; rule?: string; authorization?: string }[];
  /** Most chat-completion requests open at once so far (to check client-side concurrency limits). */
  readonly peakInFlight: number;
  close(): Promise<void>;
}

export interface ScriptedModelOptions {
  /** Tried in order; the first whose `when` holds answers. */
  rules: ScriptRule[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Answers when no rule matches; without it such a request gets HTTP 400. */
  fallback?: ScriptedReply;
}

/**
 * A real HTTP server speaking OpenAI chat completions (JSON and SSE) that answers from a script,
 * so model clients and agents are tested over the same wire as production.
 */
export async function startScriptedModel(o: ScriptedModelOptions): Promise<ScriptedModelServer> {
  const requests: ScriptedModelServer['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();
  let served = 0;
  let inFlight = 0;
  let peakInFlight = 0;

  const sleep = (ms: number, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        timers.delete(timer);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timers.add(timer);
      // A client that gave up (abort, timeout) should not keep the delay alive.
      res.once('close', done);
    });

  const PREFLIGHT_PROBE = 'caid preflight:';

  async function chat(body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse): Promise<void> {
    peakInFlight = Math.max(peakInFlight, ++inFlight);
    res.once('close', () => inFlight--);
    const conversation = toConversation(body);
    // caid's preflight probe is answered as a capable server would (one call of the offered tool),
    // outside the script and the request record, so scripts and request counts see only the run.
    if (conversation.lastUser.startsWith(PREFLIGHT_PROBE) && !o.rules.some((r) => r.name === 'preflight')) {
      const wire = toWireReply({ toolCalls: [{ name: 'ping', arguments: {} }] }, conversation, `call_preflight_${++served}`);
      return sendJson(res, 200, completionBody(wire, { id: `chatcmpl-preflight-${served}`, model: conversation.model, created: Math.floor(Date.now() / 1000) }));
    }
    const index = o.rules.findIndex((r) => r.when(conversation));
    const rule = o.rules[index];
    const entry: ScriptedModelServer['requests'][number] = { conversation };
    if (rule) entry.rule = rule.name ?? `#${index}`;
    if (req.headers.authorization !== undefined) entry.authorization = req.headers.authorization;
    requests.push(entry);

    const script = rule ? rule.reply : o.fallback;
    if (!script) {
      const message = `scripted model: no rule matched (last user message: ${conversation.lastUser.slice(0, 200)})`;
      return sendError(res, 400, message);
    }
    const reply = typeof script === 'function' ? script(conversation) : script;
    if (reply.delayMs) await sleep(reply.delayMs, res);
    if (res.destroyed) return;
    if (reply.status && reply.status >= 400) {
      return sendError(res, reply.status, reply.error ?? `scripted error ${reply.status}`, reply.headers);
    }
    const wire = toWireReply(reply, conversation, `call_${++served}`);
    const meta = { id: `chatcmpl-scripted-${served}`, model: conversation.model, created: Math.floor(Date.now() / 1000) };
    if (!conversation.stream) return sendJson(res, 200, completionBody(wire, meta), reply.headers);

    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    res.writeHead(200, { ...reply.headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const chunk of completionChunks(wire, meta, streamOptions?.include_usage === true)) {
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: [{ id: 'scripted', object: 'model', created: 0, owned_by: 'caid' }] });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendError(res, 404, `scripted model: no route for ${req.method} ${req.url}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return sendError(res, 400, 'scripted model: request body is not JSON');
    }
    if (typeof body !== 'object' || body === null) return sendError(res, 400, 'scripted model: request body is not an object');
    await chat(body as Record<string, unknown>, req, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A throwing rule is a bug in the test script: report it as the server error it would be.
      const text = err instanceof Error ? err.message : String(err);
      if (!res.headersSent) sendError(res, 500, `scripted model: ${text}`);
      else res.destroy();
    });
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/v1`,
    requests,
    get peakInFlight() { return peakInFlight; },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets of finished requests would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, message: string, headers?: Record<string, string>): void {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, param: null, code: null } }, headers);
}

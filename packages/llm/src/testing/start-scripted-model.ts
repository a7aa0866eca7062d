import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLoopback } from '../listen-loopback.js';
import { encodeReply, parseClientRequest, protocolOfPath, replyId } from '../protocols/encode-reply.js';
import { errorBody, type Protocol } from '../protocols/error-body.js';
import { sseFrame } from '../protocols/reply-parts.js';
import { type Conversation, conversationOf, toConversation } from './conversation.js';
import type { ScriptedReply, ScriptRule } from './script-rule.js';
import { toWireReply } from './wire-reply.js';

export interface ScriptedModelServer {
  /** Base URL for the openai SDK, ending in /v1, e.g. http://127.0.0.1:PORT/v1. */
  url: string;
  /** Base URL for Anthropic clients (no /v1: they append /v1/messages), e.g. http://127.0.0.1:PORT. */
  anthropicUrl: string;
  /**
   * Every model request, in arrival order, read into chat messages whatever its protocol; `rule` is
   * the answering rule, if any; `stream` whether the client asked for SSE; `apiKey` is an Anthropic
   * client's `x-api-key` header; `maxTokens` the reply cap the client asked for.
   */
  requests: { conversation: Conversation; protocol: Protocol; stream: boolean; rule?: string; authorization?: string; apiKey?: string; maxTokens?: number }[];
  /** Every GET (model lists, server properties), with the key it carried: probes must send the right one. */
  gets: { path: string; authorization?: string }[];
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
  fallback?: ScriptedReply | ((c: Conversation) => ScriptedReply);
  /**
   * Extra `GET` routes answered with this JSON, for what a real server reports besides the model
   * list: e.g. `{ '/props': { default_generation_settings: { n_ctx: 4096 } } }` as llama-server says.
   */
  getJson?: Record<string, unknown>;
}

/**
 * A real HTTP server that answers from a script, speaking OpenAI chat completions
 * (`POST /v1/chat/completions`), the OpenAI Responses API (`POST /v1/responses`) and Anthropic
 * Messages (`POST /v1/messages`), JSON and SSE, tool calls included — so model clients, agents and
 * real agent CLIs are tested over the same wire as production. Rules see every protocol's request
 * as the same chat-messages `Conversation`.
 */
export async function startScriptedModel(o: ScriptedModelOptions): Promise<ScriptedModelServer> {
  const requests: ScriptedModelServer['requests'] = [];
  const gets: ScriptedModelServer['gets'] = [];
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

  async function answer(protocol: Protocol, body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse): Promise<void> {
    peakInFlight = Math.max(peakInFlight, ++inFlight);
    res.once('close', () => inFlight--);
    const parsed = parseClientRequest(protocol, body);
    // Chat requests keep their lenient reading (tool calls as sent); the others are translated.
    const conversation = protocol === 'chat' ? toConversation(body) : conversationOf(parsed);
    const created = Math.floor(Date.now() / 1000);
    // caid's preflight probe is answered as a capable server would (one call of the offered tool),
    // outside the script and the request record, so scripts and request counts see only the run.
    if (conversation.lastUser.startsWith(PREFLIGHT_PROBE) && !o.rules.some((r) => r.name === 'preflight')) {
      const wire = toWireReply({ toolCalls: [{ name: 'ping', arguments: {} }] }, conversation, `call_preflight_${++served}`);
      return send(res, encodeReply(parsed, wire, { id: replyId(protocol, `preflight-${served}`), model: conversation.model, created }));
    }
    const index = o.rules.findIndex((r) => r.when(conversation));
    const rule = o.rules[index];
    const entry: ScriptedModelServer['requests'][number] = { conversation, protocol, stream: parsed.stream === true };
    if (parsed.maxTokens !== undefined) entry.maxTokens = parsed.maxTokens;
    if (rule) entry.rule = rule.name ?? `#${index}`;
    if (req.headers.authorization !== undefined) entry.authorization = req.headers.authorization;
    const apiKey = req.headers['x-api-key'];
    if (typeof apiKey === 'string') entry.apiKey = apiKey;
    requests.push(entry);

    const script = rule ? rule.reply : o.fallback;
    if (!script) {
      const message = `scripted model: no rule matched (last user message: ${conversation.lastUser.slice(0, 200)})`;
      return sendError(res, protocol, 400, message);
    }
    const reply = typeof script === 'function' ? script(conversation) : script;
    if (reply.delayMs) await sleep(reply.delayMs, res);
    if (res.destroyed) return;
    if (reply.status && reply.status >= 400) {
      return sendError(res, protocol, reply.status, reply.error ?? `scripted error ${reply.status}`, reply.headers);
    }
    const wire = toWireReply(reply, conversation, protocol === 'anthropic' ? `toolu_${++served}` : `call_${++served}`);
    const meta = { id: replyId(protocol, `scripted-${served}`), model: conversation.model, created };
    let out = encodeReply(parsed, wire, meta);
    if (reply.omitUsage && protocol === 'chat') out = withoutUsage(out);
    await send(res, out, reply.headers, reply, (ms) => sleep(ms, res));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') ?? '';
    if (req.method === 'GET') gets.push({ path, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    if (req.method === 'GET' && o.getJson && Object.hasOwn(o.getJson, path)) return sendJson(res, 200, o.getJson[path]);
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return sendJson(res, 200, { object: 'list', data: [{ id: 'scripted', object: 'model', created: 0, owned_by: 'caid' }] });
    }
    let body: unknown;
    const protocol = protocolOfPath(path);
    const counting = /^(\/v1)?\/messages\/count_tokens$/.test(path);
    if (req.method !== 'POST' || (!protocol && !counting)) {
      return sendError(res, 'chat', 404, `scripted model: no route for ${req.method} ${req.url}`);
    }
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      // expected: a client's bad body is answered with a 400, which is where the error goes
      return sendError(res, protocol ?? 'anthropic', 400, 'scripted model: request body is not JSON');
    }
    if (typeof body !== 'object' || body === null) return sendError(res, protocol ?? 'anthropic', 400, 'scripted model: request body is not an object');
    if (counting) return sendJson(res, 200, { input_tokens: Math.ceil(JSON.stringify(body).length / 4) });
    await answer(protocol!, body as Record<string, unknown>, req, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A throwing rule is a bug in the test script: report it as the server error it would be.
      const text = err instanceof Error ? err.message : String(err);
      if (!res.headersSent) sendError(res, 'chat', 500, `scripted model: ${text}`);
      else res.destroy();
    });
  });
  const origin = await listenLoopback(server, o);

  return {
    url: `${origin}/v1`,
    anthropicUrl: origin,
    requests,
    gets,
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

function sendError(res: ServerResponse, protocol: Protocol, status: number, message: string, headers?: Record<string, string>): void {
  sendJson(res, status, errorBody(protocol, status, message), headers);
}

type Encoded = ReturnType<typeof encodeReply>;

async function send(
  res: ServerResponse, reply: Encoded, headers: Record<string, string> = {},
  pace: Pick<ScriptedReply, 'chunkDelayMs' | 'afterFirstChunk' | 'dropAfterFirstChunk' | 'onSent'> = {}, sleep?: (ms: number) => Promise<void>,
): Promise<void> {
  if ('json' in reply) {
    pace.onSent?.();
    return sendJson(res, 200, reply.json, headers);
  }
  res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (!pace.chunkDelayMs && !pace.afterFirstChunk && !pace.dropAfterFirstChunk) {
    for (const e of reply.events) res.write(sseFrame(e));
    pace.onSent?.();
    return void res.end();
  }
  res.flushHeaders();
  for (const [i, e] of reply.events.entries()) {
    if (res.destroyed) return;
    // Flushed before going on: a piece still buffered when the connection is cut would never arrive.
    await new Promise<void>((resolve) => res.write(sseFrame(e), () => resolve()));
    if (i === 1) await pace.afterFirstChunk?.();
    if (i === 1 && pace.dropAfterFirstChunk) return void setTimeout(() => res.destroy(), 20);
    if (pace.chunkDelayMs && i < reply.events.length - 1) await sleep?.(pace.chunkDelayMs);
  }
  if (res.destroyed) return;
  pace.onSent?.();
  res.end();
}

/** A chat reply without usage: no `usage` on the body, no usage chunk in the stream. */
function withoutUsage(reply: Encoded): Encoded {
  if ('json' in reply) return { json: { ...reply.json, usage: undefined } };
  return { events: reply.events.filter((e) => !(typeof e.data === 'object' && e.data !== null && 'usage' in e.data)) };
}

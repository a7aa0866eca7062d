import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLoopback } from '../listen-loopback.js';
import { parseClientRequest, protocolOfPath } from '../protocols/encode-reply.js';
import { errorBody, type Protocol } from '../protocols/error-body.js';
import type { Lease, LeaseOptions } from './lease.js';
import { serveRequest } from './serve-request.js';
import { sendJson } from './sse-response.js';

export interface MeteringEndpoint {
  /** `http://127.0.0.1:PORT` (no /v1). */
  url: string;
  /** A new client of the endpoint (one per task round): its own token, model and usage callback. */
  lease(o: LeaseOptions): Lease;
  close(): Promise<void>;
}

export interface MeteringEndpointOptions {
  /** Default 127.0.0.1: the endpoint is for processes on this machine only. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Request bodies larger than this are refused (413). Default 32 MiB. */
  maxBodyBytes?: number;
  /** A streaming request waiting this long for the upstream gets its stream opened and SSE keep-alive comments. Default 5 s. */
  keepAliveMs?: number;
  /** Do not keep the process alive for the listening socket alone (a worker's shared endpoint). */
  unref?: boolean;
}

/**
 * caid's own model endpoint for external agent CLIs: it speaks OpenAI chat completions, the OpenAI
 * Responses API and Anthropic Messages (JSON and SSE, tool calls included) and forwards every
 * request to the lease's `Model`, so the CLI never holds the user's key and its tokens count in
 * caid's budgets. Each lease has a random bearer token; a request without a live token gets 401.
 */
export async function startMeteringEndpoint(o: MeteringEndpointOptions = {}): Promise<MeteringEndpoint> {
  const leases = new Map<string, LeaseOptions>();
  const maxBody = o.maxBodyBytes ?? 32 * 1024 * 1024;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    const protocol = protocolOfPath(path);
    const counting = /^(\/v1)?\/messages\/count_tokens$/.test(path);
    const errorProtocol: Protocol = protocol ?? (counting ? 'anthropic' : 'chat');
    const lease = leases.get(tokenOf(req) ?? '');
    if (!lease) return sendJson(res, 401, errorBody(errorProtocol, 401, 'caid metering endpoint: missing or unknown token'));
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return sendJson(res, 200, { object: 'list', data: [{ id: lease.model.name, object: 'model', created: 0, owned_by: 'caid' }] });
    }
    if (req.method !== 'POST' || (!protocol && !counting)) return sendJson(res, 404, errorBody(errorProtocol, 404, `caid metering endpoint: no route for ${req.method} ${path}`));
    const text = await readBody(req, maxBody);
    if (text === undefined) return sendJson(res, 413, errorBody(errorProtocol, 413, 'caid metering endpoint: request body too large'));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // expected: a client's bad body is answered with a 400, which is where the error goes
      return sendJson(res, 400, errorBody(errorProtocol, 400, 'caid metering endpoint: request body is not JSON'));
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return sendJson(res, 400, errorBody(errorProtocol, 400, 'caid metering endpoint: request body is not an object'));
    // An estimate is enough: Claude Code asks only to decide when to compact.
    if (counting) return sendJson(res, 200, { input_tokens: Math.ceil(text.length / 4) });
    await serveRequest(parseClientRequest(protocol!, body as Record<string, unknown>), lease, res, o.keepAliveMs);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      if (!res.headersSent) sendJson(res, 500, errorBody('chat', 500, `caid metering endpoint: ${message}`));
      else res.destroy();
    });
  });
  const url = await listenLoopback(server, o);
  if (o.unref) server.unref();

  return {
    url,
    lease(options) {
      const token = `caid-${randomBytes(24).toString('hex')}`;
      leases.set(token, options);
      return { token, openaiBaseUrl: `${url}/v1`, anthropicBaseUrl: url, model: options.model.name, release: () => void leases.delete(token) };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        leases.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** `Authorization: Bearer T` (OpenAI clients, Anthropic auth tokens) or `x-api-key: T` (Anthropic API keys). */
function tokenOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const key = req.headers['x-api-key'];
  return typeof key === 'string' ? key.trim() : undefined;
}

/** The body as text, or undefined when it is larger than `max` bytes. */
function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size <= max) parts.push(b);
    });
    req.on('end', () => resolve(size > max ? undefined : Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

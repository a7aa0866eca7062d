import type { ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function openStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
}

/**
 * A streaming client that hears nothing for minutes (a slow local model reading a long prompt) may
 * give up: after `ms` without a reply the stream's headers go out, then an SSE comment (ignored by
 * every client) every `ms` until the first piece of the reply.
 */
export function keepStreamAlive(res: ServerResponse, ms: number): { stop(): void } {
  const timer = setInterval(() => {
    if (!res.headersSent) openStream(res);
    res.write(': keep-alive\n\n');
  }, ms);
  return { stop: () => clearInterval(timer) };
}

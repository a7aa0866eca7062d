import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { listenLoopback } from '../listen-loopback.js';

/** One request/response pair as it crossed the wire (the format of fixtures/llama-server/*.jsonl). */
export interface RecordedExchange {
  url: string;
  /** The request body as sent. */
  req?: string;
  status?: number;
  /** The response body as received; streamed replies keep their SSE text. */
  res?: string;
  /** The client gave up before any answer: the replay holds the request open until the client closes it. */
  aborted?: boolean;
  /** When it was recorded (ISO time): set on every exchange that crossed a real server's wire. */
  t?: string;
  /** Set instead of `t` on an exchange written by hand rather than recorded: what it is and where its shape comes from. */
  synthesized?: string;
}

export interface ReplayServer {
  /** Base URL for the openai SDK, ending in /v1. */
  url: string;
  /** Request bodies received, in arrival order. */
  requests: string[];
  close(): Promise<void>;
}

/** Reads a recorded `.jsonl` file; `pick` keeps only the exchanges at those (0-based) line indexes, in that order. */
export function loadExchanges(path: string, pick?: number[]): RecordedExchange[] {
  const all = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as RecordedExchange);
  return pick ? pick.map((i) => all[i]!) : all;
}

/**
 * A real HTTP server that answers each request with the next recorded response, byte for byte
 * (status and body; SSE replies streamed event by event), so client behaviour against a real
 * server's quirks is tested without that server. Answers 500 "replay exhausted" past the end.
 */
export async function startReplayServer(exchanges: RecordedExchange[], host = '127.0.0.1'): Promise<ReplayServer> {
  const requests: string[] = [];
  const open = new Set<ServerResponse>();
  let next = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Only the completions endpoint consumes recorded exchanges; a probe of /props etc. gets 404.
      const path = (req.url ?? '').replace(/^\/v1/, '');
      const ex = exchanges[next];
      if (!ex || path !== ex.url.replace(/^\/v1/, '')) {
        res.writeHead(ex ? 404 : 500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: ex ? `not recorded: ${req.url}` : 'replay exhausted' } }));
        return;
      }
      next++;
      requests.push(Buffer.concat(chunks).toString('utf8'));
      if (ex.aborted) { open.add(res); res.on('close', () => open.delete(res)); return; }
      const body = ex.res ?? '';
      if (body.startsWith('data:')) {
        res.writeHead(ex.status ?? 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        void streamEvents(res, body);
        return;
      }
      res.writeHead(ex.status ?? 200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  const origin = await listenLoopback(server, { host });
  return {
    url: `${origin}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => {
      for (const r of open) r.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

// One write per SSE event, yielding between them, so the client's stream parser sees real deltas.
async function streamEvents(res: ServerResponse, body: string): Promise<void> {
  for (const ev of body.split(/(?<=\n\n)/)) {
    if (res.destroyed) return;
    res.write(ev);
    await new Promise((r) => setImmediate(r));
  }
  res.end();
}

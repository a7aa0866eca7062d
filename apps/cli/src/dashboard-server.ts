import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadDashboardAssets, type Asset } from './dashboard-assets.js';
import { followEvents } from './follow-events.js';
import { RunFiles } from './run-files.js';
import { secretRedactor } from './redact-secrets.js';

export interface DashboardOptions {
  repoRoot: string;
  host?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
}

export interface DashboardServer { url: string; close(): Promise<void> }

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
// The page builds its DOM from text nodes; the policy is the second fence against injected markup.
const HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * `caid serve`: the dashboard over node:http. Read-only (GET and HEAD only), loopback unless a
 * host is given, and on loopback it answers only requests addressed to a loopback name, so a web
 * page elsewhere cannot read runs through DNS rebinding.
 */
export async function startDashboard(o: DashboardOptions): Promise<DashboardServer> {
  const host = o.host ?? '127.0.0.1';
  const assets = loadDashboardAssets();
  const files = new RunFiles(o.repoRoot);
  const redact = secretRedactor(o.env ?? process.env);
  const followers = new Set<{ close(): void }>();

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      send(res, 500, 'text/plain; charset=utf-8', `internal error: ${redact((e as Error).message)}\n`);
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'the dashboard is read-only\n', { allow: 'GET, HEAD' });
    if (LOOPBACK.has(host) && !LOOPBACK.has(hostName(req.headers.host))) return send(res, 421, 'text/plain; charset=utf-8', 'unexpected Host header\n');
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const parts = url.pathname.split('/').slice(1).map(segment);
    const [a, b, c, d, e, f] = parts;
    const json = (v: unknown) => send(res, 200, 'application/json; charset=utf-8', redact(JSON.stringify(v)));

    if (url.pathname === '/' || (a === 'runs' && b && parts.length === 2 && files.hasRun(b))) return asset(req, res, assets.get('/')!);
    if (a === 'assets' && parts.length === 2 && assets.has(url.pathname)) return asset(req, res, assets.get(url.pathname)!);
    if (a === 'api' && b === 'runs') {
      if (parts.length === 2) return json({ repo: files.repoRoot, runs: files.list() });
      if (c && files.hasRun(c)) {
        if (parts.length === 3) return json({ runId: c, ...files.liveness(c) });
        if (parts.length === 4 && d === 'events') {
          const follower = followEvents({ file: files.eventsFile(c), res, skip: Number(req.headers['last-event-id']) || 0, redact });
          followers.add(follower);
          res.on('close', () => followers.delete(follower));
          return;
        }
        if (parts.length === 6 && d === 'tasks' && e && files.hasTask(c, e)) {
          if (f === 'transcript') return json(files.transcript(c, e));
          if (f === 'verify') {
            const log = files.verifyLog(c, e);
            return log === null ? notFound(res) : send(res, 200, 'text/plain; charset=utf-8', redact(log));
          }
        }
      }
    }
    notFound(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 4400, host, () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}`,
    close: () => new Promise<void>((resolve) => {
      for (const f of followers) f.close();
      // A browser may hold a keep-alive connection open; it gets a moment, then it is cut.
      const cut = setTimeout(() => server.closeAllConnections(), 2000);
      server.close(() => { clearTimeout(cut); resolve(); });
      server.closeIdleConnections();
    }),
  };
}

/** `%2F` and `..` stay inside one segment, and every segment is checked against the id rules. */
function segment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // expected: malformed escapes, a segment no id can match, so the request is a 404
    return '\0';
  }
}

function hostName(header: string | undefined): string {
  if (!header) return '';
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(header) ?? /^([^:]+)(?::\d+)?$/.exec(header);
  return m?.[1]?.toLowerCase() ?? '';
}

function asset(req: IncomingMessage, res: ServerResponse, a: Asset): void {
  const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  res.writeHead(200, { ...HEADERS, 'content-type': a.type, ...(gz ? { 'content-encoding': 'gzip' } : {}), vary: 'accept-encoding' });
  res.end(req.method === 'HEAD' ? undefined : gz ? a.gzip : a.body);
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...HEADERS, 'content-type': type, ...extra });
  res.end(body);
}

function notFound(res: ServerResponse): void {
  send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
}

import { InputError } from '@caid/core';

export interface QueueAddress {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** BullMQ key prefix: runs that must not see each other's jobs use different prefixes. */
  prefix: string;
  /** The BullMQ queue name: coordinator and workers must agree on it. */
  name: string;
  /** The URL without its password, safe for logs and the run log. */
  display: string;
}

/**
 * Parses `redis://[user:password@]host[:port][/db][?prefix=P&name=N]` (or `rediss://` for TLS).
 * Everything is checked here so a typo is a clear InputError (exit 2), never a hang on connect.
 */
export function parseQueueUrl(url: string, env: NodeJS.ProcessEnv = process.env): QueueAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(`--queue "${url}" is not a URL: use memory or redis://host:port[/db]`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new InputError(`--queue "${url}": only redis:// and rediss:// URLs are supported (or memory)`);
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new InputError(`--queue "${url}": the database number "${dbText}" is not a whole number`);
  const prefix = u.searchParams.get('prefix') ?? env.CAID_QUEUE_PREFIX ?? 'caid';
  const name = u.searchParams.get('name') ?? 'tasks';
  for (const [what, v] of [['prefix', prefix], ['name', name]] as const) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(v)) throw new InputError(`--queue "${url}": ${what} "${v}" may use only letters, digits, "_", "." and "-"`);
  }
  const shown = new URL(u.href);
  if (shown.password) shown.password = '***';
  return {
    host: u.hostname || '127.0.0.1', port, db, tls: u.protocol === 'rediss:', prefix, name,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    display: shown.href,
  };
}

/** ioredis options; `blocking` connections (workers, queue events) must never give up on a command. */
export function connectionOptions(a: QueueAddress, o: { blocking: boolean }) {
  return {
    host: a.host, port: a.port, db: a.db, username: a.username, password: a.password,
    ...(a.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: o.blocking ? null : 20,
    // Keep trying while Redis restarts: caid runs last hours and Redis may be bounced under them.
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { CLI, type CliResult } from './cli-harness.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Proc {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves once stderr has matched `re`, with the match. */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<CliResult>;
}

/** Starts the real `caid` bin and keeps its output for assertions and waits. */
export function startCli(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = stderr.match(w.re);
      if (m) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
    }
  };
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; check(); });
  const exited = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child, pid: child.pid!, output: () => stderr, exited,
    waitFor: (re) => new Promise((resolve) => { waiters.push({ re, resolve }); check(); }),
  };
}

/**
 * Starts `n` `caid worker` processes on `queue`, each with its own workdir `DIR/worker-K`, using the
 * model at `modelUrl`, and resolves once every one says it is serving. Each is pushed to `into`
 * first, so the caller's afterAll stops it even when it never gets that far.
 */
export async function startWorkers(n: number, o: { queue: string; dir: string; modelUrl: string; args?: string[]; env?: Record<string, string>; into: Proc[] }): Promise<Proc[]> {
  const workers = Array.from({ length: n }, (_, i) =>
    startCli(['worker', '--queue', o.queue, '--workdir', path.join(o.dir, `worker-${i + 1}`), '--model', 'm', '--base-url', o.modelUrl, ...(o.args ?? [])], o.env));
  o.into.push(...workers);
  await Promise.all(workers.map((w) => w.waitFor(/serving/)));
  return workers;
}

export async function stop(p: Proc, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  await p.exited;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The run's events so far (the newest run in `repo` when no id is given). */
export function runEvents(repo: string, runId?: string): { type: string; taskId?: string; [k: string]: unknown }[] {
  const runs = path.join(repo, '.caid', 'runs');
  const id = runId ?? (existsSync(runs) ? readdirSync(runs).sort().at(-1) : undefined);
  const file = id && path.join(runs, id, 'events.jsonl');
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
}

/** Polls the run log until an event matches (the log is the state, so that is what we watch). */
export async function waitForEvent(repo: string, pred: (e: ReturnType<typeof runEvents>[number]) => boolean) {
  for (;;) {
    const hit = runEvents(repo).find(pred);
    if (hit) return hit;
    await sleep(50);
  }
}

/** Every string stored under `prefix` in Redis: job hashes, event streams, lists and sets. */
export async function redisContents(url: string, prefix: string): Promise<{ key: string; text: string }[]> {
  const redis = new Redis(url);
  try {
    const out: { key: string; text: string }[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', '500');
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const text = type === 'hash' ? JSON.stringify(await redis.hgetall(key))
          : type === 'stream' ? JSON.stringify(await redis.xrange(key, '-', '+'))
          : type === 'list' ? JSON.stringify(await redis.lrange(key, 0, -1))
          : type === 'zset' ? JSON.stringify(await redis.zrange(key, '0', '-1'))
          : type === 'set' ? JSON.stringify(await redis.smembers(key))
          : type === 'string' ? String(await redis.get(key)) : '';
        out.push({ key, text });
      }
    } while (cursor !== '0');
    return out;
  } finally {
    redis.disconnect();
  }
}

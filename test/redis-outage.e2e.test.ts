import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { removeTemps, tempDir } from './cli-harness.js';
import { startCli, stop, type Proc } from './distributed-harness.js';
import { freePort, killRedis, startRedis } from './redis-server.js';

// Issue 18: when Redis goes away, a `caid worker` says so once per connection (a warning), keeps
// the repeated reconnect errors at debug level, and says once when the connection is back.
let redis: ChildProcess | undefined;
let worker: Proc | undefined;
afterAll(async () => {
  if (worker) await stop(worker, 'SIGKILL');
  if (redis) await killRedis(redis);
  removeTemps();
});

type Line = { level: number | string; msg: string; redis?: string; errors?: number; component?: string; err?: unknown };
const jsonLines = (stderr: string): Line[] => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
const isWarn = (l: Line) => l.level === 40 || l.level === 'warn';

describe('Redis outage under a caid worker', () => {
  it('warns once per connection when Redis goes away, and says when it is back', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const dir = tempDir();
    // The model is never asked: no job is queued. Info level so the recovery line shows too.
    worker = startCli(['worker', '--no-preflight', '--queue', `redis://127.0.0.1:${port}?prefix=outage`, '--workdir', path.join(dir, 'w'), '--model', 'm', '--base-url', 'http://127.0.0.1:9/v1'],
      { CAID_LOG_LEVEL: 'info' });
    await worker.waitFor(/serving/);
    // Redis goes away only once the worker is fully up: blocked waiting for a job.
    const admin = new Redis({ port, host: '127.0.0.1' });
    while (!/cmd=(bzpopmin|bzmpop|brpoplpush|blmove)/i.test(String(await admin.client('LIST')))) await new Promise((r) => setTimeout(r, 100));
    admin.disconnect();
    await killRedis(redis);
    await worker.waitFor(/queue connection error; reconnecting/);
    // ioredis retries every 200 ms, 400 ms, …: wait for a few retries to have failed.
    await new Promise((r) => setTimeout(r, 2_500));
    redis = await startRedis(port);
    await worker.waitFor(/queue connection back/);
    expect(worker.child.exitCode, worker.output()).toBeNull(); // it rode the outage out

    const lines = jsonLines(worker.output());
    const warned = lines.filter((l) => l.msg === 'queue connection error; reconnecting');
    const back = lines.filter((l) => l.msg === 'queue connection back');
    expect(warned.length).toBeGreaterThan(0);
    expect(warned.every(isWarn)).toBe(true);
    expect(warned.every((l) => l.redis === `127.0.0.1:${port}` || String(l.redis).includes(String(port)))).toBe(true);
    // one warning per connection that went down, however many retries failed: those were debug lines
    expect(back.length).toBeGreaterThan(0);
    expect(warned.length).toBeLessThanOrEqual(back.length);
    expect(Math.max(...back.map((l) => l.errors ?? 0))).toBeGreaterThan(1);
    expect(lines.filter((l) => l.msg === 'queue connection error; still reconnecting')).toEqual([]); // debug: not shown at info

    // a second outage is warned about again (the first recovery reset the count)
    await killRedis(redis);
    const warnings = () => jsonLines(worker!.output()).filter((l) => l.msg === 'queue connection error; reconnecting').length;
    while (warnings() === warned.length) await new Promise((r) => setTimeout(r, 100));
    expect(worker.child.exitCode, worker.output()).toBeNull();
  }, 60_000);
});

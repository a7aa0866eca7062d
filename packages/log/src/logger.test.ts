import { describe, expect, it } from 'vitest';
import { configureLogging, logger, withLogContext } from './index.js';

function collect() {
  const lines: string[] = [];
  return { lines, destination: { write: (s: string) => lines.push(s) }, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  it('writes JSON lines with level, msg, component and the run context, secrets redacted', async () => {
    const sink = collect();
    const key = 'sk-test-abcdefghijklmnopqrstuvwxyz';
    configureLogging({ level: 'debug', format: 'json', destination: sink.destination, env: { OPENAI_API_KEY: key, MY_DB_PASSWORD: 'hunter2-hunter2' } });
    const log = logger('git');
    await withLogContext({ runId: 'r1', taskId: 't1' }, async () => {
      await Promise.resolve();
      log.info({ url: `redis://:hunter2-hunter2@h:6379` }, `calling with ${key}`);
      const fallback = await Promise.reject(new Error('outer', { cause: new Error(`inner ${key}`) })).catch(log.dropped('could not read', { path: '/x' }));
      expect(fallback).toBeUndefined();
    });
    log.trace('not written at debug');
    const rs = sink.records();
    expect(rs).toHaveLength(2);
    expect(rs[0]).toMatchObject({ level: 30, component: 'git', runId: 'r1', taskId: 't1', msg: 'calling with [redacted]' });
    expect(rs[1]).toMatchObject({ level: 20, msg: 'could not read', path: '/x', err: { message: 'outer', cause: { message: 'inner [redacted]' } } });
    const all = sink.lines.join('');
    expect(all).not.toContain(key);
    expect(all).not.toContain('hunter2-hunter2');
  });

  it('follows a reconfigured root and renders pretty lines with causes', () => {
    const log = logger('worker');
    const sink = collect();
    configureLogging({ level: 'info', format: 'pretty', destination: sink.destination });
    log.debug('hidden');
    log.error({ err: new Error('redis down', { cause: new Error('ECONNREFUSED') }), attempt: 2 }, 'cannot reach the queue');
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).toMatch(/ERROR worker: cannot reach the queue {2}attempt=2\n {2}Error: redis down\n {4}caused by Error: ECONNREFUSED\n$/);
  });
});

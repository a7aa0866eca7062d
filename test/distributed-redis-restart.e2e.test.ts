import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startScriptedModel, type Conversation, type ScriptedModelServer } from '@caid/llm/testing';
import { makeRepo, removeTemps, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { runEvents, startCli, stop, waitForEvent, type Proc } from './distributed-harness.js';

// A Redis of its own on a free port (the shared one on 6379 must never be bounced), without
// persistence: a restart loses every job, the harder case. The run must still complete.
const freePort = () => new Promise<number>((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => resolve(port));
  });
});
const startRedis = async (port: number): Promise<ChildProcess> => {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: null });
  probe.on('error', () => undefined);
  await probe.connect().catch(() => undefined);
  await probe.ping();
  probe.disconnect();
  return child;
};
const killRedis = (child: ChildProcess) => new Promise<void>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) return resolve();
  child.once('exit', () => resolve());
  child.kill('SIGKILL');
});

let redis: ChildProcess | undefined;
const procs: Proc[] = [];
let model: ScriptedModelServer | undefined;
afterAll(async () => {
  for (const p of procs) await stop(p, 'SIGKILL');
  if (redis) await killRedis(redis);
  await model?.close();
  removeTemps();
});

describe('Redis restarted mid-run', () => {
  it('coordinator and workers reconnect, lost jobs are added again, and the run completes with every task merged once', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const queue = `redis://127.0.0.1:${port}?prefix=restart`;
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    const planFile = path.join(dir, 'plan.json');
    const tasks = [{ id: 'a' }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['b'] }, { id: 'd' }];
    writeFileSync(planFile, JSON.stringify({ goal: 'g', tasks: tasks.map((t) => ({ ...t, prompt: `Create src/${t.id}.js.` })) }));
    model = await startScriptedModel({
      rules: [{
        when: (c: Conversation) => Boolean(taskOf(c)),
        reply: (c: Conversation) => ({ ...writesFiles({ [`src/${taskOf(c)}.js`]: `export const v = 1;\n` })(c), delayMs: taskOf(c) === 'b' && c.stepInRound === 0 ? 1500 : 0 }),
      }],
    });
    const workers = [1, 2].map((n) => startCli(['worker', '--queue', queue, '--workdir', path.join(dir, `w${n}`), '--model', 'm', '--base-url', model!.url, '--stall-timeout', '5']));
    procs.push(...workers);
    await Promise.all(workers.map((w) => w.waitFor(/serving/)));
    const run = startCli(['run', '--plan', planFile, '--repo', repo, '--queue', queue, '--json']);
    procs.push(run);

    await waitForEvent(repo, (e) => e.type === 'task.queued' && e.taskId === 'b');
    await killRedis(redis);
    redis = await startRedis(port);

    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.status).toBe('succeeded');
    const events = runEvents(repo, summary.runId);
    for (const t of tasks) expect(events.filter((e) => e.type === 'task.merged' && e.taskId === t.id), t.id).toHaveLength(1);
  });
});

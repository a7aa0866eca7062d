import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type Conversation, type ScriptedModelServer } from '@caid/llm/testing';
import { makeRepo, removeTemps, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { runEvents, startCli, startWorkers, stop, waitForEvent, type Proc } from './distributed-harness.js';
import { freePort, killRedis, startRedis } from './redis-server.js';

// A Redis of its own, without persistence: a restart loses every job, the harder case. The run
// must still complete.
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
    await startWorkers(2, { queue, dir, modelUrl: model.url, args: ['--stall-timeout', '5'], into: procs });
    const run = startCli(['run', '--plan', planFile, '--repo', repo, '--queue', queue, '--json']);
    procs.push(run);

    await waitForEvent(repo, (e) => e.type === 'task.queued' && e.taskId === 'b');
    await killRedis(redis);
    redis = await startRedis(port);

    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    // the coordinator said Redis went away (once per connection, not once per retry: issue 18)
    expect(result.stderr).toMatch(/queue connection error; reconnecting/);
    const summary = JSON.parse(result.stdout);
    expect(summary.status).toBe('succeeded');
    const events = runEvents(repo, summary.runId);
    for (const t of tasks) expect(events.filter((e) => e.type === 'task.merged' && e.taskId === t.id), t.id).toHaveLength(1);
  });
});

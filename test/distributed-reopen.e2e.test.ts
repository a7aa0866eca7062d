import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { calcProject, isReopen } from './calc-library.js';
import { git, removeTemps, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { REDIS_URL, runEvents, startCli, startWorkers, stop, type Proc } from './distributed-harness.js';
import { dropPrefix, testPrefix } from '../packages/queue-bullmq/src/redis-test-prefix.fixture.js';

/**
 * Issue 19's reopen across machines: the merged task's wrong code is revealed by a later merge
 * and its reopen round runs on a `caid worker` (each worker has its own workdir and fetches the
 * task's branch from the coordinator's repository). The fixed code lands and the suite is green on
 * the integration branch.
 */
let model: ScriptedModelServer | undefined;
const procs: Proc[] = [];
let prefix: string | undefined;
afterAll(async () => {
  await Promise.all(procs.map((p) => stop(p)));
  await model?.close();
  if (prefix) await dropPrefix(prefix, REDIS_URL);
  removeTemps();
});

describe('a reopen in a distributed run', () => {
  it('runs the reopen round on a worker, lands the fix once, and ends green', async () => {
    model = await startScriptedModel({
      rules: [
        { when: (c) => taskOf(c) === 'impl-add' && isReopen(c.lastUser), reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a + b\n' }) },
        { when: (c) => taskOf(c) === 'impl-add', reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a + c\n' }) },
        { when: (c) => taskOf(c) === 'impl-mul', reply: writesFiles({ 'calc/mul.py': 'def mul(a, b):\n    return a * b\n' }) },
      ],
    });
    const dir = tempDir();
    const { repo, plan } = calcProject(dir, [
      '{ id: impl-add, prompt: write calc/add.py, files: [calc/add.py] }',
      '{ id: impl-mul, prompt: write calc/mul.py, files: [calc/mul.py], dependsOn: [impl-add] }',
    ]);
    prefix = testPrefix();
    const queue = `${REDIS_URL}?prefix=${prefix}`;
    await startWorkers(2, { queue, dir, modelUrl: model.url, args: ['--sandbox', 'none'], into: procs });
    const run = startCli(['run', '--plan', plan, '--repo', repo, '--queue', queue, '--worktree-root', path.join(dir, 'wt'), '--verify-attempts', '1', '--json']);
    procs.push(run);
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.status).toBe('succeeded');
    const events = runEvents(repo, summary.runId);
    expect(events.find((e) => e.type === 'task.reopened')).toMatchObject({ taskId: 'impl-add', by: 'impl-mul' });
    expect(events.find((e) => e.type === 'task.queued' && e.taskId === 'impl-add' && e.attempt === 2)).toMatchObject({ round: { kind: 'reopen' } });
    expect(events.filter((e) => e.type === 'task.merged' && e.taskId === 'impl-add')).toHaveLength(2);
    expect(git(repo, 'show', `${summary.branch}:calc/add.py`)).toBe('def add(a, b):\n    return a + b');
    // The integration branch passes the project's own tests.
    const check = path.join(dir, 'check');
    git(repo, 'worktree', 'add', '--detach', check, summary.branch);
    expect(() => execFileSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: check, stdio: 'pipe' })).not.toThrow();
  }, 180_000);
});

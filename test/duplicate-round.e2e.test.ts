import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskSchema, commitRefs, taskBranch, type TaskJob } from '@caid/core';
import { Repo } from '@caid/git';
import { openaiCompatible } from '@caid/llm';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { remoteSync } from '@caid/orchestrator';
import { executeRemoteTask } from '@caid/worker';
import { call, git, makeRepo, removeTemps, tempDir } from './cli-harness.js';

// At-least-once delivery: a job re-added after Redis lost it (or handed on after a stalled lock)
// runs twice at once on two workers, and both push the same task branch. Neither run may fail
// for it, and the coordinator must end up with exactly the commit of the result it accepted.

let model: ScriptedModelServer;
let edits = 0;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [{
      when: () => true,
      // Every round writes different content, so two runs of one round make two different commits.
      reply: (c) => (c.stepInRound === 0 ? call('write_file', { path: 'src/a.js', content: `export const v = ${++edits};\n` }) : call('finish', { summary: 'done' })),
    }],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

const limits = { maxSteps: 10, roundTimeoutMs: 60_000, runTimeoutSec: 600 };
const ctx = () => ({ signal: new AbortController().signal, progress: () => undefined });
const job = (remote: string, base: string, extra: Partial<TaskJob> = {}): TaskJob => ({
  runId: 'r1', repo: '/unused', worktreeRoot: '/unused', attempt: 1, round: { kind: 'start' },
  task: TaskSchema.parse({ id: 'a', prompt: 'Create src/a.js.' }), remote, base, ...extra,
});
/** Two workers (own workdirs, own clones) running the same round at the same time. */
const twice = (j: TaskJob, dir: string) => Promise.all([1, 2].map((n) =>
  executeRemoteTask(j, ctx(), { model: openaiCompatible({ baseURL: model.url, model: 'm' }), limits, workdir: path.join(dir, `w${n}`) })));

describe('two workers run the same round at once', () => {
  it('through a hub remote: both push, the coordinator takes the accepted commit, and a follow-up continues from it', async () => {
    const dir = tempDir();
    const coord = makeRepo(path.join(dir, 'coord'), { 'README.md': '# r\n' });
    const hub = path.join(dir, 'hub.git');
    git(dir, 'clone', '-q', '--bare', coord, hub);
    const base = git(coord, 'rev-parse', 'HEAD');

    const results = await twice(job(hub, base), dir);
    expect(results.map((r) => r.status)).toEqual(['done', 'done']);
    const [c1, c2] = results.map((r) => r.commit!);
    expect(c1).not.toBe(c2);
    const branch = taskBranch('r1', 'a');
    const tip = git(hub, 'rev-parse', branch);
    expect([c1, c2]).toContain(tip);
    // The result the queue kept is the one whose commit the other run pushed over.
    const accepted = tip === c1 ? c2! : c1!;

    const repo = await Repo.open(coord);
    const sync = remoteSync(repo, 'r1', hub);
    expect(sync.self).toBe(false);
    await sync.fetchTask('a', accepted);
    expect(git(coord, 'rev-parse', branch)).toBe(accepted);
    expect(git(coord, 'show', `${accepted}:src/a.js`)).toMatch(/export const v = \d+;/);

    // A follow-up round on a third worker continues from the accepted commit, not the branch tip.
    const [next] = await Promise.all([executeRemoteTask(job(hub, base, { round: { kind: 'verify-failed', command: 'npm test', output: '1 failing' }, head: accepted }), ctx(), {
      model: openaiCompatible({ baseURL: model.url, model: 'm' }), limits, workdir: path.join(dir, 'w3'),
    })]);
    expect(next!.status).toBe('done');
    expect(git(hub, 'rev-parse', `${next!.commit}^`)).toBe(accepted);

    await sync.dropCommitRefs();
    expect(git(hub, 'for-each-ref', commitRefs('r1'))).toBe('');
    expect(git(hub, 'rev-parse', branch)).toBe(next!.commit);
  });

  it('into the repository itself: the task branch is put back on the accepted commit', async () => {
    const dir = tempDir();
    const coord = makeRepo(path.join(dir, 'coord'), { 'README.md': '# r\n' });
    const base = git(coord, 'rev-parse', 'HEAD');
    const results = await twice(job(coord, base), dir);
    expect(results.map((r) => r.status)).toEqual(['done', 'done']);
    const branch = taskBranch('r1', 'a');
    const tip = git(coord, 'rev-parse', branch);
    const accepted = results.map((r) => r.commit!).find((c) => c !== tip)!;

    const sync = remoteSync(await Repo.open(coord), 'r1', coord);
    expect(sync.self).toBe(true);
    await sync.fetchTask('a', accepted);
    expect(git(coord, 'rev-parse', branch)).toBe(accepted);
    await sync.dropCommitRefs();
    expect(git(coord, 'for-each-ref', commitRefs('r1'))).toBe('');
  });
});

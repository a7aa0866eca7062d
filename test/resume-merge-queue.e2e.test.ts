import { describe, expect, it } from 'vitest';
import type { Conversation } from '@caid/llm/testing';
import { call, taskOf, writesFiles } from './cli-harness.js';
import { afterResume, killedAt, resolvesSharedTxt, type LoggedEvent } from './resume-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// Issue 16: how a resumed run merges comes from its log: batch size, how long a free verify lane
// waits for more tasks, how many batches verify at once, and the conflict-warning interval. Each
// run is killed with -9 right after `run.started` and resumed with no flags.

/** Task `late-N` finishes about N × 0.7 s after the others; `shared-*` overlap on shared.txt. */
function reply(c: Conversation) {
  const id = taskOf(c)!;
  if (c.lastUser.includes('merge conflict')) return resolvesSharedTxt(c);
  if (id === 'shared-fast') return writesFiles({ 'shared.txt': 'original\nline from fast\n' })(c);
  if (id === 'shared-slow') {
    // Writes first, then works on for eight slow steps: long after the fast one merged.
    if (c.stepInRound === 0) return call('write_file', { path: 'shared.txt', content: 'original\nline from slow\n' });
    return c.stepInRound < 9 ? { ...call('list_files', {}), delayMs: 250 } : call('finish', { summary: 'slow' });
  }
  const late = /^late-(\d)$/.exec(id);
  return { ...writesFiles({ [`${id}.txt`]: `${id}\n` })(c), delayMs: late ? 350 * Number(late[1]) : 50 };
}

const model = scriptedModelForFile([{ when: (c) => Boolean(taskOf(c)), reply }]);

const batches = (events: LoggedEvent[]) => events.filter((e) => e.type === 'batch.started').map((e) => e.tasks as string[]);
const tasks = (...ids: string[]) => `goal: g\n${ids.length ? 'tasks:\n' : ''}${ids.map((id) => `  - { id: ${id}, prompt: p }\n`).join('')}`;

describe('resume merges as recorded', () => {
  it('batchMax: with the recorded 1, tasks finishing while a batch verifies are merged one batch each (the default takes up to 8)', async () => {
    // Verify takes a second, so the other two finish while the first batch verifies.
    const r = await killedAt('run.started:1', `verify: sleep 1\n${tasks('a', 'b', 'c')}`, [...model.flags(), '--workers', '3', '--batch-max', '1']);
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(batches(afterResume(r.events()))).toEqual([[expect.any(String)], [expect.any(String)], [expect.any(String)]]);
  }, 30_000);

  it('batchWait: with the recorded 5 s, a free lane waits for the task still running and merges both in one batch (auto waits a fifth of an instant verify)', async () => {
    const r = await killedAt('run.started:1', `verify: "true"\n${tasks('a', 'late-2')}`, [...model.flags(), '--workers', '2', '--batch-wait', '5']);
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(batches(afterResume(r.events())).map((b) => [...b].sort())).toEqual([['a', 'late-2']]);
  }, 30_000);

  it('verifyConcurrency: with the recorded 2, a second batch starts verifying before the first is verified', async () => {
    // On two cores `auto` is one lane; a machine with four or more would pipeline by default too.
    // Verify is instant on the base and takes 3 s once a is merged: late-1 finishes while a's batch verifies.
    const r = await killedAt('run.started:1', `verify: if [ -e a.txt ]; then sleep 3; fi\n${tasks('a', 'late-1')}`, [...model.flags(), '--workers', '2', '--verify-concurrency', '2', '--batch-wait', '0']);
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = afterResume(r.events()).filter((e) => e.type === 'batch.started' || (e.type === 'batch.verified' && !e.probe));
    expect(after.map((e) => `${e.type}:${e.batch}`).slice(0, 2)).toEqual(['batch.started:1', 'batch.started:2']);
  }, 30_000);

  it('conflictWarnings: with the recorded 0 no agent is warned; the overlap comes out as a conflict round (the default warns every 3 steps)', async () => {
    const r = await killedAt('run.started:1', tasks('shared-fast', 'shared-slow'), [...model.flags(), '--workers', '2', '--conflict-warnings', '0'], { files: { 'shared.txt': 'original\n' } });
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = afterResume(r.events());
    expect(after.filter((e) => e.type === 'task.conflict-warning')).toEqual([]);
    expect(after.find((e) => e.type === 'task.conflict')).toMatchObject({ taskId: 'shared-slow' });
  }, 30_000);
});

import { describe, expect, it } from 'vitest';
import type { Conversation } from '@caid/llm/testing';
import { taskOf, writesFiles } from './cli-harness.js';
import { afterResume, killedAt, resolvesSharedTxt } from './resume-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// Issue 16: a run killed with -9 and resumed with `caid resume <id>` and no flags behaves by the
// limits it was started with, not the defaults. Each run is killed at an exact event
// (CAID_FAULT_KILL_AFTER) and each setting is chosen so the default would behave visibly otherwise.

function reply(c: Conversation) {
  const id = taskOf(c)!;
  // Never finishes: one listing after another, so only a limit ends the round.
  if (id.startsWith('endless')) return { toolCalls: [{ name: 'list_files', arguments: {} }], delayMs: id === 'endless-slow' ? 1000 : 20, usage: { prompt_tokens: 900, completion_tokens: 100 } };
  // A conflict round resolves the file (the default of two conflict rounds would land the task).
  if (c.lastUser.includes('merge conflict')) return resolvesSharedTxt(c);
  if (id === 'left' || id === 'right') return { ...writesFiles({ 'shared.txt': `original\nline from ${id}\n` })(c), delayMs: 100 };
  if (id === 'slow-verify') return writesFiles({ 'slow.txt': 'makes verify sleep\n' })(c);
  // Agents in flight at once, counted at the model: every reply is held long enough for the others to ask.
  peak = Math.max(peak, ++inFlight);
  return { ...writesFiles({ [`${id}.txt`]: `${id}\n` })(c), delayMs: 300, onSent: () => { inFlight--; } };
}
let inFlight = 0;
let peak = 0;

const model = scriptedModelForFile([{ when: (c) => Boolean(taskOf(c)), reply }]);

const finishedOf = (events: ReturnType<typeof afterResume>, id: string) => events.filter((e) => e.type === 'task.finished' && e.taskId === id) as unknown as { steps: number; reason?: string; status: string }[];

describe('resume keeps the recorded limits', () => {
  it('workers: the resumed run runs at most the recorded 2 agents at once (the default is 3)', async () => {
    const r = await killedAt('run.started:1', 'goal: g\ntasks:\n  - { id: a, prompt: p }\n  - { id: b, prompt: p }\n  - { id: c, prompt: p }\n  - { id: d, prompt: p }\n',
      [...model.flags(), '--workers', '2']);
    peak = 0;
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.summary!.tasks.every((t) => t.status === 'merged')).toBe(true);
    expect(peak).toBe(2);
  }, 30_000);

  it('limits.maxSteps: the resumed round stops after the recorded 3 steps (the default is 50)', async () => {
    const r = await killedAt('task.step:1', 'goal: g\ntasks:\n  - { id: endless, prompt: p }\n', [...model.flags(), '--max-steps', '3']);
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    const rounds = finishedOf(afterResume(r.events()), 'endless');
    expect(rounds.length).toBeGreaterThan(0);
    for (const f of rounds) expect(f).toMatchObject({ status: 'failed', reason: 'step-limit', steps: 3 });
  }, 30_000);

  it('limits.taskTimeoutMin: the resumed round is cut at the recorded 3 s (the default is 30 min)', async () => {
    const r = await killedAt('task.step:1', 'goal: g\ntasks:\n  - { id: endless-slow, prompt: p }\n', [...model.flags(), '--task-timeout', '0.05']);
    const started = Date.now();
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(finishedOf(afterResume(r.events()), 'endless-slow')[0]).toMatchObject({ status: 'failed', reason: 'time-limit' });
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('limits.taskTokens: the resumed round stops at the recorded token cap (the default has none)', async () => {
    // Each reply costs 1,000 tokens; the cap allows four.
    const r = await killedAt('task.step:1', 'goal: g\ntasks:\n  - { id: endless-tokens, prompt: p }\n', [...model.flags(), '--task-tokens', '4000']);
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    const [round] = finishedOf(afterResume(r.events()), 'endless-tokens');
    expect(round).toMatchObject({ status: 'failed', reason: 'token-limit' });
    expect(round!.steps).toBeLessThanOrEqual(4);
  }, 30_000);

  it('limits.conflictRounds: with the recorded 0, the resumed run fails the conflicting task at once (the default resolves it)', async () => {
    const r = await killedAt('task.merged:1', 'goal: g\ntasks:\n  - { id: left, prompt: p }\n  - { id: right, prompt: p }\n',
      [...model.flags(), '--workers', '2', '--batch-max', '1', '--conflict-rounds', '0'], { files: { 'shared.txt': 'original\n' } });
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    const after = afterResume(r.events());
    const loser = after.find((e) => e.type === 'task.conflict')!.taskId!;
    expect(after.find((e) => e.type === 'task.failed')).toMatchObject({ taskId: loser });
    expect(after.filter((e) => e.type === 'task.queued' && (e.round as { kind: string }).kind === 'conflict')).toEqual([]);
  }, 30_000);

  it('limits.verifyTimeoutMin: the resumed verify is cut at the recorded 3 s (the default is 30 min)', async () => {
    // Verify sleeps once slow.txt is merged; a verify allowed its 30 s would pass.
    const plan = 'goal: g\nverify: if [ -e slow.txt ]; then sleep 30; fi\ntasks:\n  - { id: slow-verify, prompt: p }\n';
    const r = await killedAt('task.finished:1', plan, [...model.flags(), '--verify-timeout', '0.05', '--verify-attempts', '1']);
    const started = Date.now();
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(resumed.summary!.tasks[0]).toMatchObject({ id: 'slow-verify', status: 'failed' });
    expect(afterResume(r.events()).some((e) => e.type === 'task.verify-failed')).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);
});

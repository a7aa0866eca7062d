import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '@caid/llm/testing';
import { call, git, taskOf, writesFiles } from './cli-harness.js';
import { afterResume, killedAt } from './resume-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// Issue 16: the planner's part of a run (scaffold, review, replans and their limit, the planner
// model) comes from the log on resume. Plan-file runs have all of it off by default, so each
// resumed run with no flags shows it only if the log kept it.
let revisions = 0;

const model = scriptedModelForFile([
  { name: 'scaffold', when: (c) => c.includes('preparing a skeleton'), reply: writesFiles({ 'skeleton.txt': 'skeleton\n' }, 'skeleton') },
  { name: 'review', when: (c) => c.includes('You are the reviewer'), reply: writesFiles({ 'review.txt': 'reviewed\n' }, 'reviewed') },
  // Asked to replace `wide`: first two tasks (over a limit of one), then, repairing, one.
  { name: 'wide-replanner', when: (c) => c.tools.includes('submit_revision') && c.includes('wide'),
    reply: (c) => call('submit_revision', { tasks: c.stepInRound === 0 ? [{ id: 'fix-a', prompt: 'p' }, { id: 'fix-b', prompt: 'p' }] : [{ id: 'fix-a', prompt: 'p' }] }) },
  // Each revision replaces the failed task with another that gives up too: only the limit ends it.
  { name: 'replanner', when: (c) => c.tools.includes('submit_revision'), reply: () => call('submit_revision', { tasks: [{ id: `giveup-${++revisions + 1}`, prompt: 'p' }] }) },
  { name: 'giveup', when: (c) => Boolean(taskOf(c)?.startsWith('giveup') || taskOf(c) === 'wide'), reply: call('finish', { summary: 'gave up' }) },
  { name: 'task', when: (c) => Boolean(taskOf(c)), reply: (c: Conversation) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c) },
]);


describe('resume keeps the recorded planner settings', () => {
  it('scaffold, review and the planner model (config): killed before anything ran, the resumed run scaffolds, reviews, and asks the planner model for both', async () => {
    // Both models from the config (a --model flag would name the planner's too).
    const models = `models:\n  worker: { model: scripted-m, baseURL: "${model.server.url}" }\n  planner: { model: planner-m, baseURL: "${model.server.url}" }\n`;
    const r = await killedAt('run.started:1', 'goal: g\ntasks:\n  - { id: a, prompt: p }\n', ['--scaffold', '--review'], {
      files: { '.gitignore': 'caid.config.yaml\n' },
      before: (s) => writeFileSync(path.join(s.repo, 'caid.config.yaml'), models),
    });
    rmSync(path.join(r.repo, 'caid.config.yaml'));
    const before = model.server.requests.length;
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    const steps = afterResume(r.events()).filter((e) => e.type === 'run.step');
    expect(steps).toMatchObject([{ kind: 'scaffold', outcome: 'committed' }, { kind: 'review', outcome: 'committed' }]);
    const subjects = git(r.repo, 'log', '--first-parent', '--format=%s', `caid/${r.runId}/integration`).split('\n');
    expect(subjects[0]).toBe('caid: review');
    expect(subjects.at(-2)).toBe('caid: scaffold');
    const asked = model.server.requests.slice(before);
    expect(new Set(asked.filter((q) => q.rule === 'scaffold' || q.rule === 'review').map((q) => q.conversation.model))).toEqual(new Set(['planner-m']));
    expect(new Set(asked.filter((q) => q.rule === 'task').map((q) => q.conversation.model))).toEqual(new Set(['scripted-m']));
  }, 30_000);

  it('replan and maxReplans: a task that fails for good after resume is replanned, exactly the recorded once', async () => {
    revisions = 0;
    const r = await killedAt('run.started:1', 'goal: g\ntasks:\n  - { id: giveup, prompt: p }\n  - { id: ok, prompt: p }\n', [...model.flags(), '--replan', '--max-replans', '1']);
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    const revised = afterResume(r.events()).filter((e) => e.type === 'plan.revised');
    // On (a plan-file run's default is off), and once (the default allows two).
    expect(revised).toHaveLength(1);
    expect(revised[0]).toMatchObject({ failedTaskId: 'giveup', tasks: [{ id: 'giveup-2' }] });
    expect(Object.fromEntries(resumed.summary!.tasks.map((t) => [t.id, t.status]))).toEqual({ giveup: 'failed', 'giveup-2': 'failed', ok: 'merged' });
  }, 30_000);

  it('planner.maxTasks: the resumed replan refuses a revision over the recorded 1 task and takes the repaired one (the default of 8 takes the first)', async () => {
    const r = await killedAt('run.started:1', 'goal: g\ntasks:\n  - { id: wide, prompt: p }\n', [...model.flags(), '--replan', '--max-tasks', '1']);
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(afterResume(r.events()).filter((e) => e.type === 'plan.revised')).toMatchObject([{ failedTaskId: 'wide', tasks: [{ id: 'fix-a' }] }]);
  }, 30_000);

  it('planner.maxRepairs: with the recorded 0, the resumed replan does not repair the refused revision, so nothing is revised', async () => {
    const r = await killedAt('run.started:1', 'goal: g\ntasks:\n  - { id: wide, prompt: p }\n', [...model.flags(), '--replan', '--max-tasks', '1', '--max-repairs', '0']);
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(afterResume(r.events()).filter((e) => e.type === 'plan.revised')).toEqual([]);
    expect(resumed.stderr).toMatch(/replanning gave no usable revision/);
  }, 30_000);
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type Conversation, type ScriptedModelServer } from '@caid/llm/testing';
import { RunEventSchema, type RunEvent } from '@caid/core';
import { call, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

const REPO = {
  'package.json': `${JSON.stringify({ name: 'calc', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
  'test/smoke.test.js': "import { test } from 'node:test';\ntest('smoke', () => {});\n",
};
const task = (id: string, dependsOn: string[] = []) => ({ id, prompt: `Create src/${id}.js.`, dependsOn, files: [`src/${id}.js`] });
const PLAN = { goal: 'calc', tasks: [task('core'), task('parser', ['core']), task('report', ['parser']), task('extra')] };
const NEW_PARSER = task('parser-basic', ['core']);

/** `parser`'s agent always finishes without changing anything: it fails for good (no-changes). */
const rules = [
  { name: 'planner', when: (c: Conversation) => c.tools.includes('submit_plan'), reply: call('submit_plan', PLAN) },
  {
    name: 'replanner',
    when: (c: Conversation) => c.tools.includes('submit_revision'),
    // First a revision that still depends on the failed task (rejected), then a valid one.
    reply: (c: Conversation) => c.stepInRound === 0
      ? call('submit_revision', { tasks: [NEW_PARSER, task('report', ['parser'])] })
      : call('submit_revision', { tasks: [NEW_PARSER, task('report', ['parser-basic'])] }),
  },
  { name: 'parser', when: (c: Conversation) => taskOf(c) === 'parser', reply: call('finish', { summary: 'gave up' }) },
  { name: 'task', when: (c: Conversation) => !!taskOf(c), reply: (c: Conversation) => writesFiles({ [`src/${taskOf(c)}.js`]: `export const ${taskOf(c)!.replace(/-/g, '_')} = 1;\n` })(c) },
];

let model: ScriptedModelServer;
beforeAll(async () => { model = await startScriptedModel({ rules }); });
afterAll(async () => {
  await model.close();
  removeTemps();
});

const goalRun = async (...extra: string[]) => {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'calc'), REPO);
  const r = await runCli(['run', 'build calc', '--repo', repo, '--workers', '2', '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--json', ...extra]);
  const summary = JSON.parse(r.stdout) as { runId: string; status: string; tasks: { id: string; status: string }[] };
  const events: RunEvent[] = readFileSync(path.join(repo, '.caid/runs', summary.runId, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => RunEventSchema.parse(JSON.parse(l)));
  return { r, summary, events, repo };
};

describe('replanning after a permanent failure', () => {
  it('the planner revises the rest of the graph, the run continues with it, and the revision is in the run log', async () => {
    const { r, summary, events, repo } = await goalRun();
    expect(r.code, r.stderr).toBe(0);
    expect(summary.status).toBe('succeeded');
    const status = Object.fromEntries(summary.tasks.map((x) => [x.id, x.status]));
    expect(status).toEqual({ core: 'merged', parser: 'failed', report: 'merged', extra: 'merged', 'parser-basic': 'merged' });
    const revised = events.find((e) => e.type === 'plan.revised');
    expect(revised).toMatchObject({ failedTaskId: 'parser', reason: expect.stringMatching(/no-changes/), dropped: [] });
    expect(revised && 'tasks' in revised ? revised.tasks.map((x) => [x.id, x.dependsOn]) : []).toEqual([['parser-basic', ['core']], ['report', ['parser-basic']]]);
    // report was never skipped; it ran after its new dependency merged
    expect(events.some((e) => e.type === 'task.skipped')).toBe(false);
    const merged = events.filter((e) => e.type === 'task.merged').map((e) => ('taskId' in e ? e.taskId : ''));
    expect(merged.indexOf('parser-basic')).toBeLessThan(merged.indexOf('report'));
    // the first revision was sent back because it depended on the failed task
    const replans = model.requests.filter((q) => q.rule === 'replanner').map((q) => q.conversation);
    expect(replans.at(-1)!.lastToolResult).toContain('task "report" depends on "parser", which failed');
    expect(replans[0]!.firstUser).toMatch(/# Failed task: parser\nWhy: no-changes/);
    expect(r.stderr).toMatch(/plan revised after parser failed: parser-basic, report to run/);
    const transcript = readFileSync(path.join(repo, '.caid/runs', summary.runId, 'planner.jsonl'), 'utf8');
    expect(transcript).toContain('"role":"replan"');
  });

  it('is bounded: with --max-replans 0 (or --no-replan) the failure skips its dependents and the run exits 1', async () => {
    for (const flag of [['--max-replans', '0'], ['--no-replan']]) {
      const { r, summary, events } = await goalRun(...flag);
      expect(r.code, r.stderr).toBe(1);
      expect(Object.fromEntries(summary.tasks.map((x) => [x.id, x.status]))).toEqual({ core: 'merged', parser: 'failed', report: 'skipped', extra: 'merged' });
      expect(events.some((e) => e.type === 'plan.revised')).toBe(false);
    }
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type Conversation, type ScriptedModelServer } from '@caid/llm/testing';
import { initialState, reduce, RunEventSchema, type RunEvent } from '@caid/core';
import { call, git, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles, type CliResult } from './cli-harness.js';

// A fresh repository: a manifest with a test script and one smoke test, nothing else.
const FRESH = {
  'package.json': `${JSON.stringify({ name: 'stats', version: '0.1.0', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
  'README.md': '# stats\n',
  'test/smoke.test.js': "import { test } from 'node:test';\ntest('smoke', () => {});\n",
};
const GOAL = 'Add mean and median helpers with tests, exported from src/index.js';
const PLAN = {
  goal: 'stats helpers',
  tasks: [
    { id: 'mean', title: 'Mean', prompt: 'Create src/mean.js exporting mean(xs) and test/mean.test.js.', files: ['src/mean.js', 'test/mean.test.js'] },
    { id: 'median', title: 'Median', prompt: 'Create src/median.js exporting median(xs) and test/median.test.js.', files: ['src/median.js', 'test/median.test.js'] },
    { id: 'index', title: 'Public index', prompt: 'Create src/index.js re-exporting mean and median.', dependsOn: ['mean', 'median'], files: ['src/index.js'] },
  ],
};
const t = (name: string, body: string) => `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n${body}\n`;
const TASK_FILES: Record<string, Record<string, string>> = {
  mean: {
    'src/mean.js': 'export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;\n',
    'test/mean.test.js': t('mean', "import { mean } from '../src/mean.js';\ntest('mean', () => assert.equal(mean([1, 2, 6]), 3));"),
  },
  median: {
    'src/median.js': 'export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };\n',
    'test/median.test.js': t('median', "import { median } from '../src/median.js';\ntest('median', () => assert.equal(median([5, 1, 3, 2]), 2.5));"),
  },
  index: {
    'src/index.js': "export { mean } from './mean.js';\nexport { median } from './median.js';\n",
    'test/index.test.js': t('index', "import * as stats from '../src/index.js';\ntest('index', () => assert.deepEqual(Object.keys(stats).sort(), ['mean', 'median']));"),
  },
};

const SCAFFOLD = { 'docs/interfaces.md': '# Interfaces\n\n- mean(xs): number\n- median(xs): number\n' };
const rules = (review: Record<string, string>, scaffold: Record<string, string> = SCAFFOLD) => [
  { name: 'planner', when: (c: Conversation) => c.tools.includes('submit_plan'), reply: (c: Conversation) => (c.stepInRound === 0 ? call('list_files', {}) : call('submit_plan', PLAN)) },
  { name: 'scaffold', when: (c: Conversation) => c.includes('preparing a skeleton'), reply: writesFiles(scaffold, 'fixed the two signatures') },
  { name: 'review', when: (c: Conversation) => c.includes('You are the reviewer'), reply: writesFiles(review, 'reviewed') },
  { name: 'task', when: (c: Conversation) => !!taskOf(c), reply: (c: Conversation) => writesFiles(TASK_FILES[taskOf(c)!]!)(c) },
];

interface Summary { runId: string; status: string; branch: string; commit: string; tasks: { id: string; status: string }[] }
const eventsOf = (repo: string, runId: string): RunEvent[] =>
  readFileSync(path.join(repo, '.caid/runs', runId, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => RunEventSchema.parse(JSON.parse(l)));

let model: ScriptedModelServer;
let repo: string;
let result: CliResult;
let summary: Summary;

beforeAll(async () => {
  const dir = tempDir();
  repo = makeRepo(path.join(dir, 'stats'), FRESH);
  model = await startScriptedModel({ rules: rules({ 'README.md': '# stats\n\n`mean(xs)` and `median(xs)` from `src/index.js`.\n' }) });
  result = await runCli(['run', GOAL, '--repo', repo, '--scaffold', '--review', '--workers', '2', '--model', 'm', '--base-url', model.url,
    '--worktree-root', path.join(dir, 'wt'), '--json']);
  summary = JSON.parse(result.stdout);
}, 120_000);
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe('caid run "<goal>" on a fresh repository: plan, scaffold, run, review, green', () => {
  it('plans, runs every task and exits 0 with the run summary', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(summary.status).toBe('succeeded');
    expect(summary.tasks).toMatchObject([{ id: 'mean', status: 'merged', attempts: 1, conflicts: 0 }, { id: 'median', status: 'merged', attempts: 1, conflicts: 0 }, { id: 'index', status: 'merged', attempts: 1, conflicts: 0 }]);
    expect(result.stderr).toContain('planning: Add mean and median');
    expect(result.stderr).toContain('critical path: mean → index (2 tasks)');
  });

  it('saves the plan with the run (the user goal, the detected verify) and the planner transcript', () => {
    const saved = JSON.parse(readFileSync(path.join(repo, '.caid/runs', summary.runId, 'plan.json'), 'utf8'));
    expect(saved).toMatchObject({ goal: GOAL, verify: 'npm test', tasks: PLAN.tasks.map((x) => ({ id: x.id, files: x.files })) });
    const transcript = readFileSync(path.join(repo, '.caid/runs', summary.runId, 'planner.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(new Set(transcript.map((l) => l.role))).toEqual(new Set(['plan', 'scaffold', 'review']));
    expect(transcript.some((l) => l.role === 'plan' && l.message.tool_calls?.[0]?.function.name === 'submit_plan')).toBe(true);
  });

  it('the scaffold is the first commit on the integration branch, the review the last, and tasks started from the scaffold', () => {
    const subjects = git(repo, 'log', '--first-parent', '--reverse', '--format=%s', `HEAD..${summary.branch}`).split('\n');
    expect(subjects[0]).toBe('caid: scaffold');
    expect(subjects.at(-1)).toBe('caid: review');
    expect(subjects.filter((s) => s.startsWith('caid: merge task'))).toHaveLength(3);
    const scaffold = git(repo, 'rev-list', '--reverse', `HEAD..${summary.branch}`, '--first-parent').split('\n')[0]!;
    for (const id of ['mean', 'median']) expect(git(repo, 'merge-base', '--is-ancestor', scaffold, `caid/${summary.runId}/tasks/${id}`)).toBe('');
    const state = eventsOf(repo, summary.runId).reduce(reduce, initialState());
    expect(state.steps).toEqual([
      { kind: 'scaffold', outcome: 'committed', message: 'fixed the two signatures' },
      { kind: 'review', outcome: 'committed', message: 'reviewed' },
    ]);
    expect(state.head).toBe(summary.commit);
    expect(git(repo, 'rev-parse', summary.branch)).toBe(summary.commit);
  });

  it('the integration branch is green: its tests pass in a fresh checkout', () => {
    const check = path.join(path.dirname(repo), 'check');
    git(repo, 'worktree', 'add', '--detach', check, summary.branch);
    const out = execFileSync(process.execPath, ['--test'], { cwd: check, env: { PATH: process.env.PATH! } }).toString();
    expect(out).toMatch(/# pass 4/);
    expect(readFileSync(path.join(check, 'README.md'), 'utf8')).toContain('median(xs)');
    git(repo, 'worktree', 'remove', '--force', check);
  });
});

describe('--scaffold and --review that would turn verify red', () => {
  it('commit nothing: tasks start from the base, the branch ends at the last merge, and the run still succeeds', async () => {
    const dir = tempDir();
    const repo2 = makeRepo(path.join(dir, 'stats'), FRESH);
    const planFile = path.join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify({ goal: 'mean only', verify: 'node --test', tasks: [PLAN.tasks[0]] }));
    const red = { 'test/broken.test.js': t('x', "test('broken', () => assert.equal(1, 2));") };
    const breaking = await startScriptedModel({ rules: rules(red, red) });
    const r = await runCli(['run', '--plan', planFile, '--repo', repo2, '--scaffold', '--review', '--model', 'm', '--base-url', breaking.url, '--worktree-root', path.join(dir, 'wt'), '--json']);
    await breaking.close();
    expect(r.code, r.stderr).toBe(0);
    const s: Summary = JSON.parse(r.stdout);
    expect(git(repo2, 'log', '-1', '--format=%s', s.branch)).toBe('caid: merge task mean (Mean)');
    expect(git(repo2, 'rev-parse', s.branch)).toBe(s.commit);
    const steps = eventsOf(repo2, s.runId).filter((e) => e.type === 'run.step');
    expect(steps).toMatchObject([{ kind: 'scaffold', outcome: 'rejected' }, { kind: 'review', outcome: 'rejected' }]);
    expect(steps.map((e) => ('message' in e ? e.message : ''))).toEqual([
      expect.stringMatching(/verify `node --test` failed on the scaffold/), expect.stringMatching(/verify `node --test` failed on the review/),
    ]);
    expect(git(repo2, 'log', '--format=%s', s.branch)).not.toMatch(/caid: (scaffold|review)/);
    expect(git(repo2, 'rev-parse', `caid/${s.runId}/tasks/mean~1`)).toBe(git(repo2, 'rev-parse', 'main'));
    expect(r.stderr).toMatch(/scaffold rejected/);
    expect(r.stderr).toMatch(/review rejected/);
  });
});

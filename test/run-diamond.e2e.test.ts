import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { initialState, reduce, RunEventSchema } from '@caid/core';
// @ts-expect-error plain .mjs module shared with `npm run demo`
import { createSampleLibrary, PLAN } from '../scripts/demo/sample-library.mjs';
// @ts-expect-error plain .mjs module shared with `npm run demo`
import { demoRules } from '../scripts/demo/demo-model.mjs';
import { git, removeTemps, runCli, tempDir, type CliResult } from './cli-harness.js';

let model: ScriptedModelServer;
let repo: string;
let worktreeRoot: string;
let result: CliResult;
let summary: { runId: string; status: string; branch: string; commit: string; tasks: { id: string; status: string; attempts: number; conflicts: number }[]; usage: { inputTokens: number; outputTokens: number; costUsd: number } };

beforeAll(async () => {
  const dir = tempDir();
  const sample = createSampleLibrary(dir);
  repo = sample.repo;
  worktreeRoot = path.join(dir, 'worktrees');
  // The user's own work in progress: caid must leave all of it alone.
  writeFileSync(path.join(repo, 'README.md'), '# textkit\n\nUNCOMMITTED EDIT\n');
  writeFileSync(path.join(repo, 'notes.txt'), 'untracked notes\n');
  model = await startScriptedModel({ rules: demoRules() });
  result = await runCli(['run', '--plan', sample.planFile, '--repo', repo, '--workers', '3', '--model', 'm', '--base-url', model.url, '--worktree-root', worktreeRoot, '--json']);
  summary = JSON.parse(result.stdout);
}, 120_000);
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe('caid run on the demo plan (diamond, conflict, verify send-back)', () => {
  it('exits 0 with exactly one JSON object on stdout and progress on stderr', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(summary.status).toBe('succeeded');
    expect(result.stderr).toMatch(/run succeeded/);
  });

  it('gates with `all` because verify passes on the base, and counts tests per merge', () => {
    expect(result.stderr).toMatch(/gate: all \(verify passes on the base/);
    expect(summary).toMatchObject({ tests: { passed: 7, failed: 0, total: 7 }, testProgress: expect.stringMatching(/^1 → .* → 7 \/ 7$/) });
  });

  it('the summary matches the repository: its branch exists and its commit is the branch head', () => {
    expect(summary.branch).toBe(`caid/${summary.runId}/integration`);
    expect(git(repo, 'rev-parse', summary.branch)).toBe(summary.commit);
    expect(summary.tasks.map((t) => t.id)).toEqual(PLAN.tasks.map((t: { id: string }) => t.id));
    expect(summary.tasks.every((t) => t.status === 'merged')).toBe(true);
    expect(summary.usage.inputTokens).toBeGreaterThan(0);
    for (const t of summary.tasks) expect(git(repo, 'rev-parse', '--verify', `caid/${summary.runId}/tasks/${t.id}`)).toMatch(/^[0-9a-f]{40}$/);
  });

  it('merges in an order consistent with the graph, each merge naming its task', () => {
    const merges = git(repo, 'log', '--first-parent', '--reverse', '--format=%s', summary.branch).split('\n').filter((s) => s.startsWith('caid: merge task'));
    const order = merges.map((s) => /caid: merge task ([a-z0-9-]+)/.exec(s)![1]!);
    expect([...order].sort()).toEqual(PLAN.tasks.map((t: { id: string }) => t.id).sort());
    const at = (id: string) => order.indexOf(id);
    for (const t of PLAN.tasks as { id: string; dependsOn?: string[] }[]) {
      for (const d of t.dependsOn ?? []) expect(at(d), `${d} before ${t.id}`).toBeLessThan(at(t.id));
    }
    // every merge is a real two-parent merge commit on the integration branch
    const parents = git(repo, 'log', '--first-parent', '--format=%p', '--grep=caid: merge task', summary.branch).split('\n');
    expect(parents.every((p) => p.split(' ').length === 2)).toBe(true);
  });

  it('resolved the conflicting pair in a conflict round, keeping both sides', () => {
    const conflicted = summary.tasks.filter((t) => t.conflicts > 0);
    expect(conflicted).toHaveLength(1);
    expect(['slugify', 'title-case']).toContain(conflicted[0]!.id);
    expect(conflicted[0]!.attempts).toBe(2);
    const index = git(repo, 'show', `${summary.branch}:src/index.js`);
    expect(index).toContain("export { slugify } from './slugify.js';");
    expect(index).toContain("export { titleCase } from './title-case.js';");
    expect(index).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    const transcript = readFileSync(path.join(repo, `.caid/runs/${summary.runId}/tasks/${conflicted[0]!.id}.jsonl`), 'utf8');
    expect(transcript).toContain('merge conflict');
    expect(transcript).toContain('src/index.js');
  });

  it('sent the verify failure back to the same conversation and merged the fix', () => {
    const truncate = summary.tasks.find((t) => t.id === 'truncate')!;
    expect(truncate).toMatchObject({ status: 'merged', attempts: 2, conflicts: 0 });
    expect(git(repo, 'show', `${summary.branch}:src/truncate.js`)).toContain('max - 1');
    const lines = readFileSync(path.join(repo, `.caid/runs/${summary.runId}/tasks/truncate.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const users = lines.filter((r) => r.t === 'message' && r.message.role === 'user').map((r) => r.message.content as string);
    expect(users).toHaveLength(2);
    expect(users[0]).toContain(PLAN.tasks.find((t: { id: string }) => t.id === 'truncate').prompt);
    expect(users[1]).toContain('node --test');
    expect(users[1]).toMatch(/not ok|fail/i);
    // only verified states ever reached the integration branch: the buggy version was never merged
    expect(git(repo, 'log', '--format=%s', summary.branch)).not.toMatch(/partial work/);
  });

  it('leaves an integration branch whose tests pass', () => {
    const check = path.join(tempDir(), 'check');
    git(repo, 'worktree', 'add', '-q', '--detach', check, summary.branch);
    try {
      expect(git(check, 'ls-files')).toContain('test/headline.test.js');
      const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
      execFileSync(process.execPath, ['--test'], { cwd: check, stdio: 'pipe' });
    } finally {
      git(repo, 'worktree', 'remove', '--force', check);
    }
  });

  it('never touched the user checkout, and removed every worktree it made', () => {
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(repo, 'log', '--format=%s', 'main')).toBe('textkit: reverse');
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toContain('UNCOMMITTED EDIT');
    expect(readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('untracked notes\n');
    expect(git(repo, 'status', '--porcelain')).toBe('M README.md\n?? notes.txt');
    expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(existsSync(path.join(worktreeRoot, summary.runId, 'words'))).toBe(false);
  });

  it('the run log folds to the state `caid status --json` prints', async () => {
    const events = readFileSync(path.join(repo, `.caid/runs/${summary.runId}/events.jsonl`), 'utf8').trim().split('\n').map((l) => RunEventSchema.parse(JSON.parse(l)));
    const state = events.reduce(reduce, initialState());
    expect(state.status).toBe('succeeded');
    expect(state.head).toBe(summary.commit);
    const status = await runCli(['status', '--repo', repo, '--json']);
    expect(status.code).toBe(0);
    const folded = JSON.parse(status.stdout);
    expect(folded).toMatchObject({ runId: summary.runId, status: 'succeeded', commit: summary.commit, mergeOrder: state.mergeOrder });
    const human = await runCli(['status', summary.runId, '--repo', repo]);
    expect(human.stdout).toMatch(/headline\s+merged\s+1\s+0\s+#6/);
  });

  it('each transcript opens with the task prompt verbatim', () => {
    for (const t of PLAN.tasks as { id: string; prompt: string }[]) {
      const first = readFileSync(path.join(repo, `.caid/runs/${summary.runId}/tasks/${t.id}.jsonl`), 'utf8').split('\n').map((l) => l && JSON.parse(l)).find((r) => r && r.t === 'message' && r.message.role === 'user');
      expect(first.message.content).toContain(t.prompt);
    }
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { RunEventSchema } from '@caid/core';
// @ts-expect-error plain .mjs module shared with bench/conflict-warnings.mjs
import { createOverlapRepo, overlapRules } from '../bench/lib/overlap-scenario.mjs';
import { git, removeTemps, runCli, tempDir, type CliResult } from './cli-harness.js';

type Summary = { runId: string; status: string; branch: string; tasks: { id: string; status: string; conflicts: number }[] };
let model: ScriptedModelServer;

/** One run of the overlapping pair with the given warning interval. */
async function run(warnings: number) {
  const dir = tempDir();
  const { repo, planFile } = createOverlapRepo(dir, 1);
  const result: CliResult = await runCli(['run', '--plan', planFile, '--repo', repo, '--workers', '2', '--model', 'm', '--base-url', model.url,
    '--worktree-root', path.join(dir, 'worktrees'), '--conflict-warnings', String(warnings), '--json']);
  const summary = JSON.parse(result.stdout) as Summary;
  const events = readFileSync(path.join(repo, `.caid/runs/${summary.runId}/events.jsonl`), 'utf8').trim().split('\n').map((l) => RunEventSchema.parse(JSON.parse(l)));
  return { repo, result, summary, events };
}

let warned: Awaited<ReturnType<typeof run>>;
let unwarned: Awaited<ReturnType<typeof run>>;

beforeAll(async () => {
  model = await startScriptedModel({ rules: overlapRules({ slowSteps: 8, stepMs: 300 }) });
  warned = await run(2);
  unwarned = await run(0);
}, 120_000);
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe('early conflict warnings (caid run --conflict-warnings)', () => {
  it('without warnings, the slow task of an overlapping pair gets a conflict round', () => {
    expect(unwarned.result.code, unwarned.result.stderr).toBe(0);
    expect(unwarned.summary.tasks.find((t) => t.id === 'slow-1')).toMatchObject({ status: 'merged', conflicts: 1 });
    expect(unwarned.events.some((e) => e.type === 'task.conflict-warning')).toBe(false);
  });

  it('with warnings, the slow task is told which file and which merged task, adapts, and merges with no conflict round', () => {
    expect(warned.result.code, warned.result.stderr).toBe(0);
    const warning = warned.events.find((e) => e.type === 'task.conflict-warning');
    expect(warning).toMatchObject({ taskId: 'slow-1', paths: ['src/registry.mjs'], tasks: ['fast-1'] });
    expect(warned.result.stderr).toMatch(/slow-1 would conflict on src\/registry\.mjs \(merged: fast-1\)/);
    expect(warned.summary.tasks.every((t) => t.status === 'merged' && t.conflicts === 0)).toBe(true);
    expect(warned.events.some((e) => e.type === 'task.conflict')).toBe(false);
    // Both entries are on the integration branch.
    const registry = git(warned.repo, 'show', `${warned.summary.branch}:src/registry.mjs`);
    expect(registry).toContain("'fast-1'");
    expect(registry).toContain("'slow-1'");
  });

  it('the warning is in the slow task\'s conversation as a user message naming the file and the task', () => {
    const transcript = readFileSync(path.join(warned.repo, `.caid/runs/${warned.summary.runId}/tasks/slow-1.jsonl`), 'utf8');
    const users = transcript.trim().split('\n').map((l) => JSON.parse(l) as { t: string; message?: { role: string; content: string } })
      .filter((r) => r.t === 'message' && r.message?.role === 'user').map((r) => r.message!.content);
    expect(users.some((u) => u.includes('CONFLICT WARNING') && u.includes('src/registry.mjs') && u.includes('fast-1'))).toBe(true);
  });

  it('caid status counts the warnings each task got', async () => {
    const s = await runCli(['status', warned.summary.runId, '--repo', warned.repo]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/conflict warnings: 1 sent while agents worked \(slow-1\)/);
    const quiet = await runCli(['status', unwarned.summary.runId, '--repo', unwarned.repo]);
    expect(quiet.stdout).not.toMatch(/conflict warnings:/);
  });
});

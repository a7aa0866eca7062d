import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
// @ts-expect-error plain .mjs module shared with bench/conflict-warnings.mjs
import { createOverlapRepo, overlapRules } from '../bench/lib/overlap-scenario.mjs';
import { git, removeTemps, tempDir } from './cli-harness.js';
import { REDIS_URL, startCli, startWorkers, stop, type Proc } from './distributed-harness.js';
import { dropPrefix, testPrefix } from '../packages/queue-bullmq/src/redis-test-prefix.fixture.js';

// Early conflict warnings in a distributed run: two `caid worker` processes on BullMQ, each with
// its own clone. The slow task's worker cannot read the coordinator's integration branch locally:
// it fetches it from the run's remote before every trial merge. The overlapping pair of
// bench/lib/overlap-scenario.mjs: warned, the slow task adapts and nothing needs a conflict round.
let model: ScriptedModelServer;
let prefix: string;
const workers: Proc[] = [];
let repo: string;
let coordinator: Awaited<Proc['exited']>;
let summary: { runId: string; status: string; branch: string; tasks: { id: string; status: string; conflicts: number }[] };
let events: { type: string; taskId?: string; paths?: string[]; tasks?: string[] }[];

beforeAll(async () => {
  model = await startScriptedModel({ rules: overlapRules({ slowSteps: 8, stepMs: 300 }) });
  const dir = tempDir();
  const made = createOverlapRepo(dir, 1);
  repo = made.repo;
  prefix = testPrefix();
  const queue = `${REDIS_URL}?prefix=${prefix}`;
  await startWorkers(2, { queue, dir, modelUrl: model.url, args: ['--no-preflight'], env: { CAID_LOG_LEVEL: 'info' }, into: workers });
  const run = startCli(['run', '--plan', made.planFile, '--repo', repo, '--queue', queue, '--worktree-root', path.join(dir, 'worktrees'), '--conflict-warnings', '2', '--json']);
  coordinator = await run.exited;
  summary = JSON.parse(coordinator.stdout);
  events = readFileSync(path.join(repo, `.caid/runs/${summary.runId}/events.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}, 240_000);

afterAll(async () => {
  for (const w of workers) await stop(w, 'SIGKILL');
  await model?.close();
  await dropPrefix(prefix);
  removeTemps();
});

describe('early conflict warnings on remote workers', () => {
  it('warns the slow task, from its own machine, of the merged task and the file', () => {
    expect(coordinator.code, coordinator.stderr).toBe(0);
    const warned = events.filter((e) => e.type === 'task.conflict-warning');
    expect(warned.length, JSON.stringify(events.map((e) => e.type))).toBeGreaterThan(0);
    expect(warned[0]).toMatchObject({ taskId: 'slow-1', paths: ['src/registry.mjs'], tasks: ['fast-1'] });
  });

  it('needs no conflict round: both entries land', () => {
    expect(events.some((e) => e.type === 'task.conflict')).toBe(false);
    expect(summary.tasks.every((t) => t.status === 'merged' && t.conflicts === 0)).toBe(true);
    const registry = git(repo, 'show', `${summary.branch}:src/registry.mjs`);
    expect(registry).toMatch(/fast-1/);
    expect(registry).toMatch(/slow-1/);
  });
});

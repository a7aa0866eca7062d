import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_RUN_SETTINGS, runDir, type RunState } from '@caid/core';
import { openaiCompatible } from '@caid/llm';
import { runPlan } from '@caid/orchestrator';
import { memoryQueue } from '@caid/scheduler';
import { executeTask } from '@caid/worker';
import { openCommit0Library, type Commit0Library } from './commit0-library.js';
import { commit0Plan, type EvalVariant, type PlanEdges } from './commit0-plan.js';
import { startOracleModel } from './oracle-model.js';
import { EvalInterrupted, runLibraryTests, testCommand } from './run-library-tests.js';

export interface Commit0RunResult {
  workers: number;
  status: RunState['status'];
  wallMs: number;
  merged: number;
  tasks: number;
  /** Rounds sent back to an agent: failed verifies, and merged tasks reopened because their own code failed later. */
  sendBacks: number;
  conflicts: number;
  passed: number;
  total: number;
  /** Merge-queue batches, verify runs of the gate inside them, and the time from each batch's start to its last verify, summed. */
  batches: number;
  verifies: number;
  batchMs: number;
  /** From the run's start to its gate being open (verify run once on the stubs, beside the first tasks). */
  gateOpenMs: number;
}

/** Batch counts and the time the merge queue spent merging and verifying, from a run's events. */
export function batchTimes(eventsJsonl: string): { batches: number; verifies: number; batchMs: number; gateOpenMs: number } {
  const started = new Map<number, number>();
  let runStart: number | undefined;
  let gateOpen: number | undefined;
  const ended = new Map<number, number>();
  let verifies = 0;
  for (const line of eventsJsonl.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { type: string; batch?: number; at: string };
    if (e.type === 'run.started') runStart ??= Date.parse(e.at);
    if (e.type === 'run.gate') gateOpen ??= Date.parse(e.at);
    if (e.type === 'batch.started') started.set(e.batch!, Date.parse(e.at));
    if (e.type === 'batch.verified') { verifies++; ended.set(e.batch!, Date.parse(e.at)); }
  }
  let batchMs = 0;
  for (const [b, t] of started) batchMs += Math.max(0, (ended.get(b) ?? t) - t);
  return { batches: started.size, verifies, batchMs, gateOpenMs: runStart !== undefined && gateOpen !== undefined ? gateOpen - runStart : 0 };
}

export interface Commit0Eval {
  library: string;
  variant: EvalVariant;
  edges: PlanEdges;
  latencyMs: number;
  /** Tests the reference implementation passes. */
  referencePassed: number;
  referenceTotal: number;
  /** Tasks of the plan and the longest dependency chain among them (in tasks). */
  planTasks: number;
  criticalPath: number;
  runs: Commit0RunResult[];
}

/** Longest chain of tasks that must run one after the other (the import graph's depth). */
export function criticalPath(tasks: readonly { id: string; dependsOn?: readonly string[] }[]): number {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const depth = new Map<string, number>();
  const of = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    depth.set(id, 1); // the plan is acyclic (cycles share one task); this only guards a malformed one
    const d = 1 + Math.max(0, ...(byId.get(id)?.dependsOn ?? []).map(of));
    depth.set(id, d);
    return d;
  };
  return Math.max(0, ...tasks.map((t) => of(t.id)));
}

/**
 * The best N-worker / 1-worker time ratio a plan allows when every task takes the same time and
 * merging costs nothing: the longer of the critical path and an even share of the tasks, over all tasks.
 */
export const ratioBound = (tasks: number, path: number, workers: number) => (tasks ? Math.max(path, Math.ceil(tasks / workers)) / tasks : 1);

export interface EvalOptions {
  lib: string;
  stubRef?: string;
  reference?: string;
  variant: EvalVariant;
  /** The plan's dependency edges (default: the import graph). */
  edges?: PlanEdges;
  /** Worker counts to run, e.g. [1, 4]. */
  workers: number[];
  latencyMs: number;
  /** Folder to copy each run's events.jsonl into (named library-variant-Nw), to study where the time went. */
  keepLogs?: string;
  /** The merge queue's settings (runPlan's batchMax, verifyConcurrency, batchWait); default: caid's defaults. */
  batchMax?: number;
  verifyConcurrency?: number;
  batchWait?: number | 'auto';
  /** Aborting it (Ctrl-C, SIGTERM) stops the run and the library's tests; evalCommit0 then throws EvalInterrupted. */
  signal?: AbortSignal;
  say?: (line: string) => void;
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();

/**
 * What runPlan gets for the merge queue: the caller's choice, else what `caid run` would use.
 * runPlan itself has no batch delay by default (a library caller chooses); an eval that left it
 * out measured a queue no user gets (every Commit0 time before 2026-12-07 03:30 UTC).
 */
export function mergeQueueOptions(o: Pick<EvalOptions, 'batchMax' | 'verifyConcurrency' | 'batchWait'>): { batchMax?: number; verifyConcurrency?: number; batchWait: number | 'auto' } {
  return { batchMax: o.batchMax, verifyConcurrency: o.verifyConcurrency, batchWait: o.batchWait ?? DEFAULT_RUN_SETTINGS.mergeQueue.batchWait };
}

/** One run of the plan with the oracle at `workers`, in a fresh clone of the library, scored by its own tests. */
async function runOnce(lib: Commit0Library, o: EvalOptions, workers: number, verify: string): Promise<Commit0RunResult> {
  const work = mkdtempSync(path.join(os.tmpdir(), `caid-eval-${lib.name}-`));
  const repoDir = path.join(work, 'repo');
  const { plan, tasks } = commit0Plan(lib, { variant: o.variant, verify, edges: o.edges });
  const oracle = await startOracleModel({ tasks, reference: lib.reference, variant: o.variant, latencyMs: o.latencyMs });
  try {
    // A clone of its own: the user's clone is only read, never written.
    execFileSync('git', ['clone', '-q', '--no-checkout', lib.dir, repoDir], { stdio: 'ignore' });
    git(repoDir, 'checkout', '-q', '-B', 'caid-eval', lib.stubCommit);
    for (const [k, v] of [['user.name', 'caid eval'], ['user.email', 'eval@caid.invalid'], ['gc.auto', '0']]) git(repoDir, 'config', k!, v!);
    const model = openaiCompatible({ baseURL: oracle.url, model: 'oracle', apiKey: 'caid-eval' });
    const queue = memoryQueue();
    queue.process((job, ctx) => executeTask(job, ctx, { model, limits: { maxSteps: 20, roundTimeoutMs: 10 * 60_000, runTimeoutSec: 600 } }), { concurrency: workers });
    const t0 = performance.now();
    const final = await runPlan({ plan, repoDir, workers, queue, worktreeRoot: path.join(work, 'wt'), limits: { verifyTimeoutMs: 10 * 60_000 }, ...mergeQueueOptions(o), signal: o.signal });
    if (o.signal?.aborted) throw new EvalInterrupted();
    const wallMs = performance.now() - t0;
    const states = Object.values(final.tasks);
    const score = final.head ? await runLibraryTests(repoDir, final.head, verify, o.signal) : { passed: 0, total: 0 };
    const events = path.join(repoDir, runDir(final.runId), 'events.jsonl');
    const log = existsSync(events) ? readFileSync(events, 'utf8') : '';
    if (o.keepLogs && log) {
      mkdirSync(o.keepLogs, { recursive: true });
      copyFileSync(events, path.join(o.keepLogs, `${lib.name}-${o.variant}-${workers}w.events.jsonl`));
    }
    return {
      workers, status: final.status, wallMs,
      merged: states.filter((t) => t.status === 'merged').length, tasks: states.length,
      sendBacks: states.reduce((n, t) => n + t.verifyFailures + (t.reopens ?? 0), 0),
      conflicts: states.reduce((n, t) => n + t.conflicts, 0),
      ...score,
      ...batchTimes(log),
    };
  } finally {
    await oracle.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** `caid eval commit0`: the library built from its stubs by the orchestrator with an oracle agent, at each worker count. */
export async function evalCommit0(o: EvalOptions): Promise<Commit0Eval> {
  const lib = openCommit0Library(o.lib, { stubRef: o.stubRef, reference: o.reference });
  const verify = testCommand(lib);
  const ref = await runLibraryTests(lib.dir, lib.referenceCommit, verify, o.signal);
  o.say?.(`${lib.name}: ${lib.stubbed.length} stubbed files; the reference passes ${ref.passed} of ${ref.total} tests`);
  const { plan } = commit0Plan(lib, { variant: o.variant, verify, edges: o.edges });
  const depth = criticalPath(plan.tasks);
  o.say?.(`${lib.name}: ${plan.tasks.length} tasks, critical path ${depth} tasks`);
  const runs: Commit0RunResult[] = [];
  for (const w of o.workers) {
    const r = await runOnce(lib, o, w, verify);
    o.say?.(`${lib.name} ${o.variant} ${w} worker(s): ${r.status}, ${r.merged}/${r.tasks} merged, ${r.passed}/${ref.passed} reference passes, ${(r.wallMs / 1000).toFixed(1)} s`);
    runs.push(r);
  }
  return { library: lib.name, variant: o.variant, edges: o.edges ?? 'imports', latencyMs: o.latencyMs, referencePassed: ref.passed, referenceTotal: ref.total, planTasks: plan.tasks.length, criticalPath: depth, runs };
}

/** Share of the reference's passing tests that pass (CAID's pass rate), capped at 1. */
export const passRate = (e: Commit0Eval, r: Commit0RunResult) => (e.referencePassed ? Math.min(1, r.passed / e.referencePassed) : 0);

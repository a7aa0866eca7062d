import { InputError } from '@caid/core';
import { EVAL_VARIANTS, EvalInterrupted, PLAN_EDGES, type PlanEdges, evalCommit0, passRate, ratioBound, type Commit0Eval, type EvalVariant } from '@caid/eval';
import { onInterrupt } from './interrupt.js';
import { positiveInt } from './parse-flags.js';

export interface EvalFlags {
  lib: string;
  stubRef?: string;
  reference?: string;
  variant: string;
  edges: string;
  workers: string;
  latencyMs: string;
  json?: boolean;
  keepLogs?: string;
  batchMax?: string;
  verifyConcurrency?: string;
  /** Commander's negation of --no-one-worker: false skips the 1-worker run. */
  oneWorker?: boolean;
}

/**
 * `caid eval commit0`: exit 0 when every run reached the reference's pass count, 1 otherwise, 2 on
 * bad input, 130 when interrupted (Ctrl-C or SIGTERM: the run and every test process it started stop).
 */
export async function evalCommit0Command(f: EvalFlags): Promise<number> {
  if (!(EVAL_VARIANTS as readonly string[]).includes(f.variant)) throw new InputError(`--variant takes ${EVAL_VARIANTS.join(', ')}, not "${f.variant}"`);
  if (!(PLAN_EDGES as readonly string[]).includes(f.edges)) throw new InputError(`--edges takes ${PLAN_EDGES.join(', ')}, not "${f.edges}"`);
  const workers = positiveInt(f.workers, '--workers');
  const latencyMs = positiveInt(f.latencyMs, '--latency-ms', true);
  const interrupt = onInterrupt();
  let e: Commit0Eval;
  try {
    e = await evalCommit0({
      lib: f.lib, stubRef: f.stubRef, reference: f.reference, variant: f.variant as EvalVariant, edges: f.edges as PlanEdges,
      workers: workers === 1 || f.oneWorker === false ? [workers] : [1, workers], latencyMs, keepLogs: f.keepLogs,
      batchMax: f.batchMax === undefined ? undefined : positiveInt(f.batchMax, '--batch-max'),
      verifyConcurrency: f.verifyConcurrency === undefined ? undefined : positiveInt(f.verifyConcurrency, '--verify-concurrency'),
      signal: interrupt.signal, say: (l) => process.stderr.write(`${l}\n`),
    });
  } catch (err) {
    if (err instanceof EvalInterrupted) return 130;
    throw err;
  } finally {
    interrupt.dispose();
  }
  const rates = e.runs.map((r) => passRate(e, r));
  const report = {
    ...e,
    meanPassRate: rates.reduce((a, b) => a + b, 0) / rates.length,
    allPassingShare: rates.filter((r) => r >= 1).length / rates.length,
    speedup: e.runs.length > 1 ? e.runs[0]!.wallMs / e.runs.at(-1)!.wallMs : 1,
    // the best N/1 time ratio the plan's dependency chain allows (equal tasks, free merges)
    ratioBound: ratioBound(e.planTasks, e.criticalPath, workers),
  };
  if (f.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    for (const r of e.runs) {
      process.stdout.write(`${e.library} ${e.variant} workers=${r.workers}: pass rate ${(passRate(e, r) * 100).toFixed(1)}% (${r.passed}/${e.referencePassed}), merged ${r.merged}/${r.tasks}, send-backs ${r.sendBacks}, conflicts ${r.conflicts}, ${(r.wallMs / 1000).toFixed(1)} s\n`);
    }
  }
  return rates.every((r) => r >= 1) ? 0 : 1;
}

import os from 'node:os';
import { InputError } from '@caid/core';
import { RunLog } from './run-log.js';
import { loadRunState } from './run-store.js';
import { isAlive, readOwner, RunLock } from './run-lock.js';

export type AbortOutcome =
  | { kind: 'already-finished'; status: string }
  | { kind: 'stopped'; pid: number }
  | { kind: 'marked-cancelled' };

/**
 * Stops a run and keeps everything: a live run gets SIGTERM (it stops its agents and records
 * itself as cancelled); a run whose process died is marked cancelled in its log.
 */
export async function abortRun(repoRoot: string, runId: string, waitMs = 60_000): Promise<AbortOutcome> {
  const state = loadRunState(repoRoot, runId);
  if (state.status !== 'running' && state.status !== 'pending') return { kind: 'already-finished', status: state.status };
  const owner = readOwner(repoRoot, runId);
  if (owner && isAlive(owner)) {
    if (owner.host !== os.hostname()) throw new InputError(`run ${runId} is driven by process ${owner.pid} on ${owner.host}; abort it there`);
    process.kill(owner.pid, 'SIGTERM');
    const until = Date.now() + waitMs;
    while (Date.now() < until && isAlive(owner) && readOwner(repoRoot, runId)?.pid === owner.pid) await new Promise((r) => setTimeout(r, 200));
    return { kind: 'stopped', pid: owner.pid };
  }
  const lock = RunLock.acquire(repoRoot, runId);
  try {
    RunLog.open(repoRoot, runId).append({ type: 'run.finished', status: 'cancelled', commit: state.head });
  } finally {
    lock.release();
  }
  return { kind: 'marked-cancelled' };
}

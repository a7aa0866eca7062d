import path from 'node:path';
import { InputError, inFlight, type RunState } from '@caid/core';
import { Repo } from '@caid/git';
import { RunLog, readEvents } from './run-log.js';
import { RunLock } from './run-lock.js';
import { listRunIds } from './run-store.js';
import { driveRun } from './drive-run.js';
import type { DriveOptions } from './run-plan.js';

export interface ResumeOptions extends Omit<DriveOptions, 'resume' | 'remote' | 'queueAddress'> {
  repoDir: string;
  runId: string;
}

/**
 * Continues a run whose coordinator stopped, from what its log folds to: rounds that were queued
 * or running are re-attached to their jobs (same job ids, so finished work is never rerun) and
 * rounds that finished unintegrated are integrated. A run that already ended is returned as is.
 */
export async function resumeRun(o: ResumeOptions): Promise<RunState> {
  const dir = path.resolve(o.repoDir);
  const repo = await Repo.open(dir).catch(() => { throw new InputError(`${dir} is not a git repository (pass --repo)`); });
  if (!listRunIds(repo.root).includes(o.runId)) throw new InputError(`no run "${o.runId}" in ${repo.root}; known runs: ${listRunIds(repo.root).join(', ') || 'none'}`);
  const lock = RunLock.acquire(repo.root, o.runId);
  try {
    const log = RunLog.open(repo.root, o.runId, o.secrets);
    const s = log.current;
    if (s.status !== 'running') return s;
    // driveRun repairs the integration worktree, or adds it again, when the run needs it.
    return await driveRun(repo, log, { ...o, resume: inFlight(readEvents(log.file), s) });
  } finally {
    lock.release();
  }
}

import path from 'node:path';
import { InputError, inFlight, runInputs, type RunSettings, type RunState } from '@caid/core';
import { Repo } from '@caid/git';
import { RunLog, readEvents } from './run-log.js';
import { RunLock } from './run-lock.js';
import { listRunIds } from './run-store.js';
import { driveRun } from './drive-run.js';
import type { DriveOptions } from './run-plan.js';
import { logger } from '@caid/log';

const oplog = logger('orchestrator');

export interface ResumeOptions extends Omit<DriveOptions, 'resume' | 'remote' | 'queueAddress'> {
  repoDir: string;
  runId: string;
  /** What the run continues with: its recorded settings, with `changed` ones overridden by resume's flags. */
  settings?: RunSettings;
  changed?: string[];
}

/**
 * Continues a run whose coordinator stopped (killed, crashed, or interrupted: a cancelled run is
 * resumable), from what its log folds to: rounds that were queued or running are re-attached to
 * their jobs (same job ids, so finished work is never rerun) and rounds that finished unintegrated
 * are integrated. A run that succeeded or failed is returned as is.
 */
export async function resumeRun(o: ResumeOptions): Promise<RunState> {
  const dir = path.resolve(o.repoDir);
  const repo = await Repo.open(dir).catch((err: unknown) => { oplog.debug({ err, dir }, 'cannot open the repository'); throw new InputError(`${dir} is not a git repository (pass --repo)`); });
  if (!listRunIds(repo.root).includes(o.runId)) throw new InputError(`no run "${o.runId}" in ${repo.root}; known runs: ${listRunIds(repo.root).join(', ') || 'none'}`);
  const lock = RunLock.acquire(repo.root, o.runId);
  try {
    const log = RunLog.open(repo.root, o.runId, o.secrets);
    if (log.current.status !== 'running' && log.current.status !== 'cancelled') return log.current;
    // Its worktrees (kept ones, in-flight ones, spares) are where the run put them.
    const root = runInputs(log.current).worktreeRoot;
    if (o.settings?.worktreeRoot && path.resolve(o.settings.worktreeRoot) !== path.resolve(root)) {
      throw new InputError(`run ${o.runId} keeps its worktrees under ${root}; a resumed run cannot move them to ${o.settings.worktreeRoot}`);
    }
    await restoreIntegrationBranch(repo, log.current);
    const { event, state: s } = log.append({ type: 'run.resumed', changed: o.changed ?? [], ...(o.settings ? { settings: o.settings } : {}) });
    o.onEvent?.(event, s);
    // driveRun repairs the integration worktree, or adds it again, when the run needs it.
    return await driveRun(repo, log, { ...o, resume: inFlight(readEvents(log.file), s), verifyChanged: (o.changed ?? []).includes('verify') });
  } finally {
    lock.release();
  }
}

/**
 * `caid clean <run> --yes` of a cancelled run deletes its integration branch when the branch's head
 * is on another branch, so no commit is lost; resume then failed every task ("integration branch …
 * is missing"). The log knows that head: the branch is put back there.
 */
async function restoreIntegrationBranch(repo: Repo, s: RunState): Promise<void> {
  if (await repo.branchExists(s.branch)) return;
  if (!(await repo.resolve(s.head))) {
    throw new InputError(`run ${s.runId} cannot be resumed: its integration branch ${s.branch} was deleted and its head ${s.head.slice(0, 10)} is no longer in the repository`);
  }
  await repo.createBranch(s.branch, s.head);
  oplog.warn({ runId: s.runId, branch: s.branch, head: s.head }, 'the integration branch was deleted (caid clean?); recreated at the head the run log records');
}

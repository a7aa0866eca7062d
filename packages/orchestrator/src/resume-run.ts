import path from 'node:path';
import { existsSync } from 'node:fs';
import { INTEGRATION_DIR, InputError, inFlight, type RunEvent, type RunState } from '@caid/core';
import { Repo } from '@caid/git';
import type { TaskQueue } from '@caid/scheduler';
import { RunLog, readEvents } from './run-log.js';
import { listRunIds } from './run-store.js';
import { driveRun } from './drive-run.js';

export interface ResumeOptions {
  repoDir: string;
  runId: string;
  queue: TaskQueue;
  limits?: { conflictRounds?: number; verifyAttempts?: number; verifyTimeoutMs?: number };
  signal?: AbortSignal;
  onEvent?: (e: RunEvent, s: RunState) => void;
}

/**
 * Continues a run whose coordinator stopped: the log says what is done; rounds that were queued
 * or running are re-attached to their jobs (same job ids, so finished work is never rerun) and
 * rounds that finished unintegrated are integrated. A run that already ended is returned as is.
 */
export async function resumeRun(o: ResumeOptions): Promise<RunState> {
  const dir = path.resolve(o.repoDir);
  const repo = await Repo.open(dir).catch(() => { throw new InputError(`${dir} is not a git repository (pass --repo)`); });
  if (!listRunIds(repo.root).includes(o.runId)) throw new InputError(`no run "${o.runId}" in ${repo.root}; known runs: ${listRunIds(repo.root).join(', ') || 'none'}`);
  const log = RunLog.open(repo.root, o.runId);
  const s = log.current;
  if (s.status !== 'running') return s;
  const wtPath = path.join(s.worktreeRoot, s.runId, INTEGRATION_DIR);
  const known = (await repo.listWorktrees()).some((w) => w.path === wtPath);
  const integrationWt = known && existsSync(wtPath) ? repo.worktree(wtPath) : await repo.addWorktree(wtPath, { start: s.head, detach: true });
  return driveRun({
    repo, log, integrationWt, queue: o.queue, signal: o.signal, onEvent: o.onEvent, remote: s.remote,
    resume: inFlight(readEvents(log.file), s),
    limits: { conflictRounds: o.limits?.conflictRounds ?? 2, verifyAttempts: o.limits?.verifyAttempts ?? 2, verifyTimeoutMs: o.limits?.verifyTimeoutMs ?? 30 * 60_000 },
  });
}

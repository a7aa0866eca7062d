import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { commitRef, taskBranch, transcriptPath, type TaskJob, type TaskProgress, type TaskResult } from '@caid/core';
import { fetchRefs, openClone, placeWorktree, pushRefs, type Repo } from '@caid/git';
import type { RoundAgentOptions } from './round-agent.js';
import { executeTask, type WorkerLimits } from './execute-task.js';
import { clipOutput, runShell } from '@caid/agent';
import { taskEnv, worktreePath } from './prepare-round.js';
import { logger } from '@caid/log';

const wlog = logger('worker');

/** The worker's own agent options (model, sandbox, external agent, limits): jobs carry none of them. */
export interface RemoteWorkerOptions extends RoundAgentOptions {
  limits: WorkerLimits;
  /** Holds one clone per remote (`clones/`) and the task worktrees (`worktrees/`). */
  workdir: string;
}

const chains = new Map<string, Promise<unknown>>();
/** One task at a time per key in this process (a job re-added after a Redis loss may overlap its first run). */
function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (chains.get(key) ?? Promise.resolve()).then(fn, fn);
  // expected: not swallowed, the caller gets `run`'s error; the chain only waits for it to settle.
  chains.set(key, run.catch(() => undefined));
  return run;
}

/**
 * Where a follow-up round starts: the commit the coordinator accepted (`job.head`), which is the
 * task branch's tip unless a duplicate run of an earlier round pushed over it; then the commit is
 * fetched by its own ref. Jobs without a head (older coordinators) start from the branch tip.
 */
async function followUpStart(clone: Repo, remote: string, job: TaskJob, tracking: string): Promise<string | null> {
  const tip = await clone.resolve(tracking);
  if (!job.head || tip === job.head) return tip;
  if (!(await clone.resolve(job.head))) await fetchRefs(clone, remote, [commitRef(job.runId, job.head)]).catch(wlog.dropped('accepted commit not fetched: starting from the branch tip', { head: job.head }));
  return (await clone.resolve(job.head)) ?? tip;
}

/** `clones/<name>-<hash>`: readable, and distinct for every remote URL. */
export function cloneName(remote: string): string {
  const base = path.basename(remote.replace(/\/+$/, '')).replace(/\.git$/, '').replace(/[^A-Za-z0-9._-]/g, '_') || 'repo';
  return `${base}-${createHash('sha256').update(remote).digest('hex').slice(0, 8)}`;
}

/**
 * One round of one task on a worker that may be on another machine: fetch the run's branches
 * from the job's remote into this worker's clone, place the task worktree (a first round starts
 * fresh from the job's base, so a rerun after a crash leaves nothing of the crashed attempt),
 * continue the conversation the job carries, run the round as `executeTask` does, push the task
 * branch, remove the worktree, and return the result with the round's transcript records for the
 * coordinator.
 */
export async function executeRemoteTask(job: TaskJob, ctx: { signal: AbortSignal; progress(p: TaskProgress): void }, o: RemoteWorkerOptions): Promise<TaskResult> {
  if (!job.remote || !job.base) throw new Error(`job for task ${job.task.id} names no git remote or base commit: start the coordinator with --queue redis://…`);
  const remote = job.remote;
  const name = cloneName(remote);
  const clone = await openClone(remote, path.join(o.workdir, 'clones', name));
  const local: TaskJob = { ...job, repo: clone.root, worktreeRoot: path.join(o.workdir, 'worktrees', name) };
  const dir = worktreePath(local);

  return oneAtATime(dir, async () => {
    const tracking = `refs/remotes/caid/${job.runId}`;
    await fetchRefs(clone, remote, [`+refs/heads/caid/${job.runId}/*:${tracking}/*`]);
    const branch = taskBranch(job.runId, job.task.id);
    const start = job.round.kind === 'start' ? job.base! : await followUpStart(clone, remote, job, `${tracking}/tasks/${job.task.id}`);
    if (!start) throw new Error(`the remote ${remote} has no branch ${branch} for a ${job.round.kind} round`);
    const fresh = !existsSync(dir);
    await placeWorktree(clone, dir, branch, start);
    // A follow-up round on a worker that never had this task gets its setup too (dependencies etc.).
    if (fresh && job.round.kind !== 'start' && job.setup) {
      const r = await runShell(job.setup, { cwd: dir, timeoutMs: 15 * 60_000, env: taskEnv(local, dir), signal: ctx.signal });
      if (r.exitCode !== 0) {
        const message = `setup command \`${job.setup}\` ${r.timedOut ? 'timed out' : `exited ${r.exitCode}`}: ${clipOutput(r.output, 800)}`;
        return { taskId: job.task.id, attempt: job.attempt, status: 'failed', reason: 'setup-failed', message, steps: 0, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } };
      }
    }

    const file = path.join(clone.root, transcriptPath(job.runId, job.task.id));
    mkdirSync(path.dirname(file), { recursive: true });
    const history = (job.history ?? []).map((message) => JSON.stringify({ t: 'message', message, at: new Date().toISOString() }));
    writeFileSync(file, history.map((l) => `${l}\n`).join(''));

    const result = await executeTask(local, ctx, o);
    // The commit also goes under its own name: if a duplicate run of this round pushes over the
    // task branch, the coordinator still finds the commit of the result it accepts.
    const commit = result.commit ? [`${result.commit}:${commitRef(job.runId, result.commit)}`] : [];
    await pushRefs(clone, remote, [`+refs/heads/${branch}:refs/heads/${branch}`, ...commit]);
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()) : [];
    const transcript = lines.slice(history.length).flatMap((l) => { try { return [JSON.parse(l) as unknown]; } catch (err) { wlog.dropped('transcript line of a killed round is torn: dropped', { file })(err); return []; } });
    // Everything is committed and pushed: the worktree goes, so a long-lived worker's disk stays
    // bounded (a later round of this task, here or elsewhere, starts again from the pushed branch).
    await clone.removeWorktree(dir, { force: true }).catch(wlog.dropped('pushed task worktree not removed (disk only)', { worktree: dir }));
    return { ...result, transcript };
  });
}

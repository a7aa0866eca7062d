import path from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import { integrationBranch, spareWorktrees, taskBranch, type TaskJob } from '@caid/core';
import { takeSpareWorktree, type Repo, type Worktree } from '@caid/git';
import type { ChatMessage } from '@caid/llm';
import { clipOutput, runShell } from '@caid/agent';
import { readyWorktree } from './ready-worktree.js';
import { repairWorktree } from './repair-worktree.js';
import { restoreTaskBranch } from './restore-task-branch.js';
import { conflictMessage, reopenMessage, systemPrompt, taskMessage, verifyFailedMessage } from './task-prompt.js';
import { repoInstructions } from './repo-instructions.js';
import type { Transcript } from './transcript.js';

export type PreparedRound =
  | { ok: true; wt: Worktree; base: string; messages: ChatMessage[]; conflicted: string[]; /** The integration head the round started from or merged. */ integrated: string }
  | { ok: false; reason: 'setup-failed' | 'error'; message: string; wt?: Worktree };

export const worktreePath = (job: TaskJob) => path.join(job.worktreeRoot, job.runId, job.task.id);

/**
 * Gets a task's worktree ready for one round and builds the conversation for it: a fresh
 * worktree from the integration head for the first round; for a conflict round or a send-back,
 * the integration head merged into the task branch and the transcript continued.
 */
export async function prepareRound(repo: Repo, job: TaskJob, transcript: Transcript, signal: AbortSignal, o: { hardlinks: boolean }): Promise<PreparedRound> {
  mkdirSync(path.join(scratchDir(job), 'tmp'), { recursive: true });
  // A distributed job names its base (the integration head at dispatch); locally, read the branch.
  const branch = taskBranch(job.runId, job.task.id);
  // Both reads at once: a round's start is on the critical path of every task that waits for it.
  const [head, existing] = await Promise.all([
    job.base ?? repo.branchHead(integrationBranch(job.runId)),
    job.round.kind === 'start' ? repo.branchHead(branch) : null,
  ]);
  if (!head) return { ok: false, reason: 'error', message: `integration branch ${integrationBranch(job.runId)} is missing` };
  const dir = worktreePath(job);

  if (job.round.kind === 'start') {
    await repairWorktree(repo, dir, { onBranch: true });
    const gone = await restoreTaskBranch(repo, job, dir, transcript);
    if (gone) return { ok: false, reason: 'error', message: gone };
    const fresh = !existsSync(dir);
    const wt = fresh ? await addTaskWorktree(repo, dir, branch, head, existing, spareWorktrees(job.worktreeRoot, job.runId)) : repo.worktree(dir);
    if (fresh) for (const text of await readyWorktree(repo, dir, job.prepare, o)) transcript.append({ t: 'note', text });
    const failed = await runSetup(job, dir, transcript, signal);
    if (failed) return { ...failed, wt };
    const messages: ChatMessage[] = [{ role: 'system', content: systemPrompt(repoInstructions(dir)) }, { role: 'user', content: taskMessage(job) }];
    for (const m of messages) transcript.append({ t: 'message', message: m });
    return { ok: true, wt, base: head, messages, conflicted: [], integrated: head };
  }

  await repairWorktree(repo, dir);
  const gone = await restoreTaskBranch(repo, job, dir, transcript);
  if (gone) return { ok: false, reason: 'error', message: gone };
  // A reopened task merged earlier, and its worktree was retired then: make it again, at the integration
  // head (which holds the task's merged work), ready as a first round's.
  if (job.round.kind === 'reopen' && !existsSync(dir)) {
    // A discarded worktree's folder is gone but git's admin entry, still holding the task's branch,
    // stays until a prune: drop such entries first, or the branch could not be remade. A worktree
    // that still exists keeps holding its branch, and deleteBranch below refuses.
    await repo.pruneWorktrees();
    await addTaskWorktree(repo, dir, branch, head, await repo.branchHead(branch), spareWorktrees(job.worktreeRoot, job.runId));
    for (const text of await readyWorktree(repo, dir, job.prepare, o)) transcript.append({ t: 'note', text });
    const failed = await runSetup(job, dir, transcript, signal);
    if (failed) return { ...failed, wt: repo.worktree(dir) };
  }
  const wt = repo.worktree(dir);
  // An earlier round of this task was killed mid-way: keep what its agent wrote as a commit, so the
  // merge below can proceed and nothing is lost.
  if (!(await wt.status()).clean) await wt.commitAll(`caid: ${job.task.id}: work saved after an interruption`);
  const before = await wt.head();
  const merged = await wt.merge(head, `caid: merge integration head into ${job.task.id}`);
  const conflicted = merged.ok ? [] : merged.conflicts;
  let content: string;
  if (job.round.kind === 'conflict') {
    if (!conflicted.length) return { ok: true, wt, base: before, messages: [], conflicted, integrated: head };
    content = conflictMessage(conflicted, await otherSide(repo, wt, before, head, conflicted));
  } else {
    const note = conflicted.length ? conflictMessage(conflicted, await otherSide(repo, wt, before, head, conflicted)) : '';
    content = job.round.kind === 'reopen' ? reopenMessage(job.round.tests, job.round.output, note) : verifyFailedMessage(job.round.command, job.round.output, note);
  }
  const message: ChatMessage = { role: 'user', content };
  transcript.append({ t: 'message', message });
  return { ok: true, wt, base: before, messages: [...transcript.messages()], conflicted, integrated: head };
}

/** Runs the job's setup in a new worktree; the failure to report, or null. */
async function runSetup(job: TaskJob, dir: string, transcript: Transcript, signal: AbortSignal): Promise<{ ok: false; reason: 'setup-failed'; message: string } | null> {
  if (!job.setup) return null;
  transcript.append({ t: 'note', text: `setup: ${job.setup}` });
  const r = await runShell(job.setup, { cwd: dir, timeoutMs: job.prepare?.setupTimeoutMs ?? 15 * 60_000, env: taskEnv(job, dir), signal });
  // Head and tail: npm, pip and make print the real error first and pages of help or summary after
  // it (`npm ci` without a lockfile showed only the end of npm's option list).
  transcript.append({ t: 'note', text: `setup exit ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}\n${clipOutput(r.output, 4000)}` });
  return r.exitCode === 0 ? null : { ok: false, reason: 'setup-failed', message: `setup command \`${job.setup}\` ${r.timedOut ? 'timed out' : `exited ${r.exitCode}`}: ${clipOutput(r.output, 800)}` };
}

async function otherSide(repo: Repo, wt: Worktree, mine: string, theirs: string, paths: string[]): Promise<string> {
  const commits = await repo.log(`${mine}..${theirs}`, { maxCount: 20 });
  const stats = (await wt.diffStat(mine, theirs)).filter((s) => paths.includes(s.file));
  return [
    ...commits.map((c) => `  ${c.sha.slice(0, 10)} ${c.subject}`),
    ...stats.map((s) => `  ${s.file}: +${s.insertions} -${s.deletions}`),
  ].join('\n') || '  (no details available)';
}

/**
 * What every command run for a task (setup, `run`, its check, an external agent) gets, so a
 * project's dev server, test database or compose stack never collides with a neighbour's.
 */
export const taskEnv = (job: TaskJob, dir: string): Record<string, string> => ({
  CAID_RUN_ID: job.runId, CAID_TASK_ID: job.task.id, CAID_WORKTREE: dir,
  COMPOSE_PROJECT_NAME: `caid-${job.runId}-${job.task.id}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-'),
  TMPDIR: path.join(scratchDir(job), 'tmp'),
  ...(job.portBase ? { CAID_PORT_BASE: String(job.portBase) } : {}),
});

/** Per-task folder outside the worktree: HOME and TMPDIR of the agent's commands, prompt files. */
export const scratchDir = (job: TaskJob) => path.join(job.worktreeRoot, job.runId, '.scratch', job.task.id);

/**
 * A task's worktree on its branch: a merged task's parked worktree taken over when there is one
 * (only the files that differ are written), else a new one. A branch left by a killed round with
 * no work of its own is recreated at the current head; one that holds work keeps it as it is.
 */
async function addTaskWorktree(repo: Repo, dir: string, branch: string, head: string, existing: string | null, spares: string): Promise<Worktree> {
  if (existing && (await repo.isAncestor(existing, head))) {
    await repo.deleteBranch(branch, existing);
    existing = null;
  }
  const on = existing ? { start: branch, branch } : { start: head, newBranch: branch };
  return (await takeSpareWorktree(repo, spares, dir, on)) ?? repo.addWorktree(dir, on);
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { taskBranch, type TaskJob } from '@caid/core';
import type { Repo } from '@caid/git';
import { logger } from '@caid/log';
import type { Transcript } from './transcript.js';

const wlog = logger('worker');

/**
 * A live task's branch that someone deleted (`git update-ref -d`, `git branch -D` from another
 * checkout) while its worktree stayed: recreated at the commit the worktree last had, read from
 * its HEAD reflog in the admin dir git recorded (never from anything in the worktree), so the
 * round goes on where it was. Returns why the task cannot go on when that commit is gone too,
 * else null (nothing was missing, or the branch is back). Without this the round ran, found no
 * branch to commit on, and failed the same way on every attempt.
 */
export async function restoreTaskBranch(repo: Repo, job: TaskJob, dir: string, transcript: Transcript): Promise<string | null> {
  const branch = taskBranch(job.runId, job.task.id);
  if (!existsSync(dir) || (await repo.branchHead(branch)) !== null) return null;
  const admin = repo.recordedGitDir(dir);
  // No admin dir: git does not know this worktree; repairWorktree moves it aside and the round starts afresh.
  if (!admin) return null;
  const last = job.head ?? lastHeadCommit(path.join(admin, 'logs', 'HEAD'));
  const commit = last ? await repo.resolve(last) : null;
  if (!commit) {
    return `the task's branch ${branch} was deleted outside caid and the commit its worktree last had is gone too; the task cannot continue (its worktree ${dir} is kept for you)`;
  }
  await repo.createBranch(branch, commit);
  transcript.append({ t: 'note', text: `the task's branch ${branch} was deleted outside caid; recreated at ${commit.slice(0, 10)}, the commit its worktree last had` });
  return null;
}

/** The newest commit a worktree's HEAD pointed at, from its reflog (`<old> <new> <who> <when>\t<why>` per line). */
function lastHeadCommit(reflog: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(reflog, 'utf8');
  } catch (err) {
    wlog.debug({ err, reflog }, 'no HEAD reflog for the worktree: its last commit is unknown');
    return undefined;
  }
  const sha = text.trim().split('\n').at(-1)?.split(' ')[1];
  return sha && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}

import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '@caid/core';
import { isGitRepo, Repo } from '@caid/git';

export interface Target {
  repo: Repo;
  baseCommit: string;
}

/** Checks the repository and base before anything is written; every failure is an InputError. */
export async function openTarget(repoDir: string, base: string): Promise<Target> {
  const dir = path.resolve(repoDir);
  if (!existsSync(dir)) throw new InputError(`repository folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new InputError(`${dir} is a file, not a repository folder (pass the folder to --repo)`);
  if (!(await isGitRepo(dir))) throw new InputError(`${dir} is not a git repository (run \`git init\` and commit first, or pass --repo)`);
  const repo = await Repo.open(dir);
  if (!(await repo.hasCommits())) throw new InputError(`${repo.root} has no commits yet; caid branches from a commit, so commit something first`);
  const baseCommit = await repo.resolve(base);
  if (!baseCommit) throw new InputError(`base "${base}" does not name a commit in ${repo.root}`);
  return { repo, baseCommit };
}

/** Outside the repository, so test runners and file watchers in the user's checkout never see worktrees. */
export function defaultWorktreeRoot(repoRoot: string): string {
  const hash = createHash('sha256').update(repoRoot).digest('hex').slice(0, 8);
  return path.join(os.homedir(), '.caid', 'worktrees', `${path.basename(repoRoot)}-${hash}`);
}

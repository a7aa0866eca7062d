import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { positional } from './git-runner.js';
import { logger } from '@caid/log';

const glog = logger('git');

/**
 * The work tree that has `branch` checked out, or undefined. It reads what git itself reads
 * (gitrepository-layout): the main work tree's `HEAD` and each linked one's
 * `worktrees/<id>/HEAD`, with `worktrees/<id>/gitdir` naming where it lives. No git process:
 * this guards every move of the integration branch, and a process costs tens of milliseconds
 * on a loaded machine.
 */
export function checkedOutIn(commonDir: string, mainRoot: string | undefined, branch: string): string | undefined {
  const want = `ref: refs/heads/${positional(branch, 'branch name')}`;
  const holds = (headFile: string) => read(headFile)?.trim() === want;
  if (mainRoot && holds(path.join(commonDir, 'HEAD'))) return mainRoot;
  const admin = path.join(commonDir, 'worktrees');
  for (const id of list(admin)) {
    if (!holds(path.join(admin, id, 'HEAD'))) continue;
    const gitdir = read(path.join(admin, id, 'gitdir'))?.trim();
    return gitdir ? path.dirname(gitdir) : path.join(admin, id);
  }
  return undefined;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    // a worktree's admin file that is missing: that worktree is being made or removed
    glog.dropped('worktree admin file not read', { file })(err);
    return undefined;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    // no worktrees folder: the repository has no linked worktrees
    glog.dropped('worktrees folder not listed', { dir })(err);
    return [];
  }
}

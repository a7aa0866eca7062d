import { execFile } from 'node:child_process';
import { GitRunner, defaultIdentity, gitEnv, positional } from './git-runner.js';
import { checkedOutIn } from './checked-out-in.js';
import { mergeTree } from './merge-tree.js';
import { parseStatus } from './parse-status.js';
import { serially } from './serially.js';
import { GitError, type Identity } from './types.js';
import type { Repo } from './repo.js';

export type LandMode = 'ff-only' | 'merge' | 'squash' | 'auto';

export type LandOutcome =
  | { ok: true; branch: string; from: string; to: string; how: 'fast-forward' | 'merge' | 'squash' | 'up-to-date'; worktree?: string }
  | { ok: false; branch: string; reason: 'not-fast-forward' | 'conflict' | 'dirty' | 'no-branch'; paths: string[] };

/**
 * Brings commit `result` into the user's branch `branch` so that nothing can be lost: the new
 * head is always a descendant of the old one (no user commit is rewritten), the merge or squash
 * commit is made without touching any work tree (`merge-tree` + `commit-tree`), and a branch that is
 * checked out is then fast-forwarded in its work tree only when none of the paths that change are
 * modified or untracked there; otherwise nothing is done and those paths are named.
 */
export async function landInto(repo: Repo, branch: string, result: string, o: { mode: LandMode; message: string; identity?: Identity }): Promise<LandOutcome> {
  const identity = o.identity ?? defaultIdentity;
  const git = new GitRunner(repo.root, { identity });
  return serially(`ref:${repo.commonDir}:${positional(branch, 'branch name')}`, async () => {
    const from = await repo.branchHead(branch);
    if (!from) return { ok: false, branch, reason: 'no-branch', paths: [] };
    let to: string;
    let how: 'fast-forward' | 'merge' | 'squash' | 'up-to-date';
    if (await repo.isAncestor(result, from)) {
      return { ok: true, branch, from, to: from, how: 'up-to-date' };
    } else if (o.mode !== 'squash' && o.mode !== 'merge' && (await repo.isAncestor(from, result))) {
      to = result;
      how = 'fast-forward';
    } else if (o.mode === 'ff-only') {
      return { ok: false, branch, reason: 'not-fast-forward', paths: [] };
    } else {
      const merged = await mergeTree(git, from, result);
      if (!merged.ok) return { ok: false, branch, reason: 'conflict', paths: merged.conflicts };
      const parents = o.mode === 'squash' ? [from] : [from, result];
      to = (await git.out(['commit-tree', ...parents.flatMap((p) => ['-p', p]), '-m', o.message, merged.tree])).trim();
      how = o.mode === 'squash' ? 'squash' : 'merge';
    }
    const holder = checkedOutIn(repo.commonDir, repo.root, branch);
    if (!holder) {
      await git.out(['update-ref', '-m', `caid land: ${how}`, `refs/heads/${branch}`, to, from]);
      return { ok: true, branch, from, to, how };
    }
    const wt = new GitRunner(holder, { identity, maxConcurrentProcesses: 1 });
    const touched = new Set((await wt.out(['diff', '--name-only', '-z', '--no-renames', from, to])).split('\0').filter(Boolean));
    const dirty = parseStatus(await wt.out(['status', '--porcelain=v1', '-z', '--no-renames', '--untracked-files=all'])).changed;
    const clash = dirty.filter((p) => touched.has(p) || [...touched].some((t) => t.startsWith(`${p.replace(/\/$/, '')}/`)));
    if (clash.length) return { ok: false, branch, reason: 'dirty', paths: clash };
    // A fast-forward of the checked-out branch to the commit made above: git itself keeps every
    // uncommitted change it does not have to touch, and refuses (changing nothing) otherwise.
    const r = await wt.run(['merge', '--ff-only', '--quiet', to], 'any');
    if (r.exitCode !== 0) throw new GitError(`git merge --ff-only in ${holder} failed: ${r.stderr.trim() || r.stdout.trim()}`);
    return { ok: true, branch, from, to, how, worktree: holder };
  });
}

/** The branch checked out in the main work tree, or null (detached HEAD, bare repository). */
export async function currentBranch(repo: Repo): Promise<string | null> {
  const r = await new GitRunner(repo.root, { identity: defaultIdentity }).run(['symbolic-ref', '--quiet', '--short', 'HEAD'], 'any');
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** The user's own identity from git config, so a merge commit on their branch is theirs; caid's when unset. */
export async function userIdentity(repo: Repo): Promise<Identity> {
  // Not through GitRunner: it passes caid's own identity with -c, which `config --get` would report.
  const get = (key: string) => new Promise<string>((resolve) => {
    execFile('git', ['config', '--get', key], { cwd: repo.root, env: gitEnv() }, (_e, stdout) => resolve(String(stdout ?? '').trim()));
  });
  const [name, email] = await Promise.all([get('user.name'), get('user.email')]);
  return name && email ? { name, email } : defaultIdentity;
}

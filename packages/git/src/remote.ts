import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GitRunner, defaultIdentity, positional } from './git-runner.js';
import { ownWorktreeAdd } from './own-worktree-adds.js';
import { Repo } from './repo.js';
import { serially } from './serially.js';
import { GitError } from './types.js';

// Remote operations for distributed runs: a worker's clone of the coordinator's repository,
// and the refs that travel between them. Writes share the repository's serial queue.
const runner = (repo: Repo) => new GitRunner(repo.root, { identity: defaultIdentity });
const shared = <T>(repo: Repo, fn: () => Promise<T>) => serially(`repo:${repo.commonDir}`, fn);

/**
 * Opens the clone of `remote` at `dir`, cloning it first (without a checkout: work happens in
 * worktrees). The clone is made beside `dir` and renamed into place, so a crash never leaves a
 * half-made clone that looks whole.
 */
export async function openClone(remote: string, dir: string): Promise<Repo> {
  return serially(`clone:${dir}`, async () => {
    if (!existsSync(dir)) {
      mkdirSync(path.dirname(dir), { recursive: true });
      const tmp = `${dir}.partial-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      await new GitRunner(path.dirname(dir), { identity: defaultIdentity }).out(['clone', '--quiet', '--no-checkout', '--', positional(remote, 'remote'), tmp]);
      await new GitRunner(tmp, { identity: defaultIdentity }).out(['config', 'gc.auto', '0']);
      renameSync(tmp, dir);
    }
    return Repo.open(dir);
  });
}

/** `git fetch <remote> <refspecs…>` (refspecs may force with a leading `+`). */
export function fetchRefs(repo: Repo, remote: string, refspecs: string[]): Promise<void> {
  return shared(repo, async () => {
    await runner(repo).out(['fetch', '--quiet', '--no-tags', '--', positional(remote, 'remote'), ...refspecs.map((r) => positional(r, 'refspec'))]);
  });
}

/**
 * What the receiving side says when another push holds or has just created the same ref: two
 * workers pushing one task branch at once (a job re-run while its first run was still going).
 */
const REF_RACE = /reference already exists|is at [0-9a-f]+ but expected|\.lock'?: File exists|incorrect old value/i;
const PUSH_ATTEMPTS = 5;

/**
 * `git push <remote> <refspecs…>`; a leading `+` forces that ref. A push that lost a race for a
 * ref lock is tried again (up to 5 times, backing off): it would have won a moment later.
 */
export async function pushRefs(repo: Repo, remote: string, refspecs: string[]): Promise<void> {
  const args = ['push', '--quiet', '--no-verify', '--', positional(remote, 'remote'), ...refspecs.map((r) => positional(r, 'refspec'))];
  for (let attempt = 1; ; attempt++) {
    try {
      await runner(repo).out(args);
      return;
    } catch (e) {
      if (attempt >= PUSH_ATTEMPTS || !(e instanceof GitError) || !REF_RACE.test(e.message)) throw e;
      await sleep(25 * 2 ** attempt * (0.5 + Math.random()));
    }
  }
}

/** The names of the repository's configured remotes (`git remote`). */
export async function remoteNames(repo: Repo): Promise<string[]> {
  return (await runner(repo).out(['remote'])).split('\n').filter(Boolean);
}

/** Names of the remote's refs matching `pattern` (e.g. `refs/caid/<run>/commits/*`). */
export async function listRemoteRefs(repo: Repo, remote: string, pattern: string): Promise<string[]> {
  const out = await runner(repo).out(['ls-remote', '--refs', '--', positional(remote, 'remote'), positional(pattern, 'ref pattern')]);
  return out.split('\n').map((l) => l.split('\t')[1]).filter((r): r is string => Boolean(r));
}

/** Deletes `refs` on the remote (in batches, so a long list never outgrows a command line). */
export async function deleteRemoteRefs(repo: Repo, remote: string, refs: string[]): Promise<void> {
  for (let i = 0; i < refs.length; i += 200) await pushRefs(repo, remote, refs.slice(i, i + 200).map((r) => `:${r}`));
}

/**
 * A worktree at `dir` on `branch`, reset to `start`: an existing one is reset hard (a half-done
 * attempt leaves nothing behind); otherwise it is added, creating or resetting the branch.
 */
export async function placeWorktree(repo: Repo, dir: string, branch: string, start: string) {
  const listed = (await repo.listWorktrees()).some((w) => w.path === dir || w.path === path.resolve(dir));
  if (listed && existsSync(dir)) {
    const wt = repo.worktree(dir);
    await wt.abortMerge();
    await wt.resetHard(start);
    return wt;
  }
  return shared(repo, async () => {
    await runner(repo).out(['worktree', 'prune']);
    mkdirSync(path.dirname(dir), { recursive: true });
    await ownWorktreeAdd(dir, (p) => repo.recordedGitDir(p), () => runner(repo).out(['worktree', 'add', '--quiet', '-B', positional(branch, 'branch name'), dir, positional(start)]));
    return repo.worktree(dir);
  });
}

import { existsSync } from 'node:fs';
import { filesWithConflictMarkers } from './files-with-conflict-markers.js';
import { GitRunner, defaultIdentity, positional } from './git-runner.js';
import { parseNumstat, type FileStat } from './parse-numstat.js';
import { parseStatus, type WorktreeStatus } from './parse-status.js';
import { serially } from './serially.js';
import { GitError, type Identity, type MergeOutcome } from './types.js';

function notRegistered(path: string): never {
  throw new GitError(`${path} is no longer a registered git worktree (its admin dir under .git/worktrees is gone or points elsewhere); caid does not trust its .git file`);
}

/** Key of a worktree's serial queue, shared with Repo so removal waits for pending work. */
export const worktreeQueueKey = (path: string) => `worktree:${path}`;

/**
 * A handle on one work tree. Every method runs through the worktree's serial queue with one
 * git process at a time, so parallel calls never race on index.lock.
 */
export class Worktree {
  private readonly git: GitRunner;

  /**
   * `recordedGitDir` gives the git dir git recorded for this work tree (Repo.recordedGitDir). With
   * it every command runs as `git --git-dir=<that> --work-tree=<path>`, so a `.git` file the agent
   * repointed at a repository of its own (with its own hooks and config) is never read. A linked
   * work tree whose admin dir is gone fails with a GitError saying so rather than trusting `.git`.
   */
  constructor(readonly path: string, identity: Identity = defaultIdentity, recordedGitDir?: () => string | undefined) {
    this.git = new GitRunner(path, {
      identity,
      maxConcurrentProcesses: 1,
      ...(recordedGitDir ? { gitDir: () => recordedGitDir() ?? notRegistered(path) } : {}),
    });
  }

  head(): Promise<string> {
    return this.queued(async () => (await this.git.out(['rev-parse', '--verify', 'HEAD'])).trim());
  }

  status(): Promise<WorktreeStatus> {
    return this.queued(async () => parseStatus(
      await this.git.out(['status', '--porcelain=v1', '-z', '--no-renames', '--untracked-files=all']),
    ));
  }

  /**
   * Git repositories the agent made inside the worktree (untracked folders holding a `.git`, as
   * `git init` or `git clone` leave them): git would record each as a gitlink to a commit that
   * exists nowhere else, or refuse one with no commit. caid never commits them (commitAll leaves
   * them out) and never runs git inside them, so nothing their config names ever runs.
   */
  nestedRepos(): Promise<string[]> {
    return this.queued(() => this.untrackedRepos());
  }

  private async untrackedRepos(): Promise<string[]> {
    // git lists an untracked nested repository as one entry, its folder with a trailing slash (it lists no empty folders).
    const others = await this.git.out(['ls-files', '--others', '--exclude-standard', '-z']);
    return others.split('\0').filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1));
  }

  /** `git add -A` (nested repositories left out) + commit when anything is staged or a merge is in progress; null when nothing to commit. */
  commitAll(message: string): Promise<string | null> {
    return this.queued(async () => {
      const nested = await this.untrackedRepos();
      await this.git.out(['add', '-A', '--', '.', ...nested.map((p) => `:(exclude,literal)${p}`)]);
      const staged = (await this.git.run(['diff', '--cached', '--quiet'], [0, 1])).exitCode === 1;
      if (!staged && !(await this.merging())) return null;
      await this.git.out(['commit', '--no-edit', '-m', message]);
      return (await this.git.out(['rev-parse', '--verify', 'HEAD'])).trim();
    });
  }

  /** `merge --no-ff --no-edit`; a conflict is left in progress, any other failure leaves no merge behind. */
  merge(ref: string, message: string): Promise<MergeOutcome> {
    return this.queued(async () => {
      if (await this.merging()) throw new GitError(`a merge is already in progress in ${this.path}`);
      const r = await this.git.run(['merge', '--no-ff', '--no-edit', '-m', message, positional(ref)], 'any');
      if (r.exitCode === 0) return { ok: true, commit: (await this.git.out(['rev-parse', '--verify', 'HEAD'])).trim() };
      const unmerged = await this.git.out(['diff', '--name-only', '-z', '--diff-filter=U']);
      const conflicts = [...new Set(unmerged.split('\0').filter(Boolean))];
      const merging = await this.merging();
      if (conflicts.length > 0 && merging) return { ok: false, conflicts };
      // e.g. a hook rejected the merge commit: undo it so callers never inherit a half-made merge.
      if (merging) await this.git.run(['merge', '--abort'], 'any');
      throw new GitError(`merge of ${ref} in ${this.path} failed: ${r.stderr.trim() || r.stdout.trim()}`);
    });
  }

  /** Aborts the merge in progress; does nothing when there is none. */
  abortMerge(): Promise<void> {
    return this.queued(async () => {
      if (await this.merging()) await this.git.out(['merge', '--abort']);
    });
  }

  mergeInProgress(): Promise<boolean> {
    return this.queued(() => this.merging());
  }

  /** `reset --hard sha` then `clean -fd` (ignored files survive), so the tree equals `sha`. */
  resetHard(sha: string): Promise<void> {
    return this.queued(async () => {
      await this.git.out(['reset', '--hard', positional(sha)]);
      await this.git.out(['clean', '-f', '-d']);
    });
  }

  /** The branch checked out here (`refs/heads/…` stripped), or null when HEAD is detached. */
  branch(): Promise<string | null> {
    return this.queued(async () => {
      const r = await this.git.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], [0, 1]);
      return r.exitCode === 0 ? r.stdout.trim() : null;
    });
  }

  /** Leaves the branch, keeping the commit and the files: `checkout --detach`. */
  detach(): Promise<void> {
    return this.queued(async () => {
      await this.git.out(['checkout', '--quiet', '--detach']);
    });
  }

  /**
   * A worktree taken over from a finished task: everything not tracked goes (ignored files too,
   * `clean -ffdx`), then it switches to a new branch `newBranch` at `start` (`-b`: never resets an
   * existing one), to the existing `branch`, or detached at `start`. Only files that differ are written.
   */
  switchFresh(o: { start: string; newBranch?: string; branch?: string }): Promise<void> {
    return this.queued(async () => {
      await this.git.out(['clean', '-ffdxq']);
      if (o.newBranch !== undefined) await this.git.out(['checkout', '--quiet', '--no-track', '-b', positional(o.newBranch, 'branch name'), positional(o.start)]);
      else if (o.branch !== undefined) await this.git.out(['checkout', '--quiet', positional(o.branch, 'branch name'), '--']);
      else await this.git.out(['checkout', '--quiet', '--detach', positional(o.start)]);
    });
  }

  /** Files changed between `a` and `b` with line counts; renames count as a delete plus an add. */
  diffStat(a: string, b: string): Promise<FileStat[]> {
    return this.queued(async () => parseNumstat(await this.git.out([
      'diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', positional(a), positional(b), '--',
    ])));
  }

  /** Paths among `paths` (repo-relative) whose content still has `<<<<<<< ` / `>>>>>>> ` lines. */
  filesWithConflictMarkers(paths: string[]): Promise<string[]> {
    return this.queued(() => filesWithConflictMarkers(this.path, paths));
  }

  private queued<T>(fn: () => Promise<T>): Promise<T> {
    return serially(worktreeQueueKey(this.path), async () => {
      if (!existsSync(this.path)) throw new GitError(`worktree does not exist: ${this.path}`);
      return fn();
    });
  }

  private async merging(): Promise<boolean> {
    return (await this.git.run(['rev-parse', '--quiet', '--verify', 'MERGE_HEAD'], [0, 1])).exitCode === 0;
  }
}

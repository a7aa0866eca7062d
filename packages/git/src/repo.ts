import { ownWorktreeMove } from './own-worktree-moves.js';
import { ownWorktreeAdd } from './own-worktree-adds.js';
import { canonical, recordedGitDir } from './recorded-git-dir.js';
import { existsSync, readFileSync, readdirSync, realpathSync, renameSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { checkedOutIn } from './checked-out-in.js';
import { readLooseRef } from './loose-ref.js';
import { GitRunner, defaultIdentity, positional } from './git-runner.js';
import { mergeTree } from './merge-tree.js';
import { LOG_FORMAT, parseLog, type LogEntry } from './parse-log.js';
import { parseWorktreeList } from './parse-worktree-list.js';
import { serially } from './serially.js';
import { GitError, type Identity, type TreeMergeOutcome, type WorktreeInfo } from './types.js';
import { Worktree, worktreeQueueKey } from './worktree.js';
import { logger } from '@caid/log';

const glog = logger('git');

/**
 * A repository as caid drives it. Reads run in parallel; what writes shared state (worktree admin
 * dirs, branch creation and deletion, info/exclude) runs through one queue per repository, while a
 * branch move, one locked ref, queues only behind moves of the same branch. Nothing here checks out
 * in the main work tree, moves a checked-out branch or deletes a branch it was not told to.
 */
export class Repo {
  private readonly worktrees = new Map<string, Worktree>();

  private constructor(
    readonly root: string,
    readonly commonDir: string,
    private readonly identity: Identity,
    private readonly git: GitRunner,
    /** False when the main repository is bare: its HEAD then names no checked-out branch. */
    private readonly mainCheckedOut: boolean,
  ) {}

  /** Opens the repository containing `dir`; GitError if `dir` is not inside a work tree. */
  static async open(dir: string, o: { identity?: Identity } = {}): Promise<Repo> {
    const identity = o.identity ?? defaultIdentity;
    const probe = new GitRunner(canonical(dir), { identity });
    const inside = await probe.run(['rev-parse', '--is-inside-work-tree'], 'any').catch(glog.dropped('git could not be run', { dir }));
    if (inside?.exitCode !== 0 || inside.stdout.trim() !== 'true') throw new GitError(`not a git repository: ${dir}`);
    const commonDir = canonical((await probe.out(['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim());
    // git lists the main work tree first; a bare main repository has none, so fall back to ours.
    const main = parseWorktreeList(await probe.out(['worktree', 'list', '--porcelain', '-z']))[0];
    const root = main && !main.bare ? canonical(main.path) : canonical((await probe.out(['rev-parse', '--show-toplevel'])).trim());
    return new Repo(root, commonDir, identity, new GitRunner(root, { identity }), Boolean(main && !main.bare));
  }

  async hasCommits(): Promise<boolean> {
    return (await this.git.out(['rev-list', '-n', '1', '--all'])).trim() !== '';
  }

  /** Full sha of `ref^{commit}`, or null if it does not resolve. */
  async resolve(ref: string): Promise<string | null> {
    const r = await this.git.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], 'any');
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  /** Sha of local branch `name`, or null: from its loose ref file when it has one, else from git. */
  async branchHead(name: string): Promise<string | null> {
    const loose = readLooseRef(this.commonDir, name);
    if (loose) return loose;
    // No loose file and nothing packed: no such branch, and no process spent to learn it.
    if (loose === null && !existsSync(join(this.commonDir, 'packed-refs'))) return null;
    return this.resolve(`refs/heads/${name}`);
  }

  async branchExists(name: string): Promise<boolean> {
    return (await this.git.run(['show-ref', '--verify', '--quiet', `refs/heads/${name}`], 'any')).exitCode === 0;
  }

  /** Creates `name` at `startSha`; GitError if it already exists. */
  createBranch(name: string, startSha: string): Promise<void> {
    return this.shared(async () => {
      await this.git.out(['branch', '--no-track', positional(name, 'branch name'), positional(startSha)]);
    });
  }

  /**
   * Compare-and-swap of refs/heads/<branch>: GitError if the branch is not at `oldSha`. `update-ref`
   * locks the one ref it moves, so this waits for no other repository operation (a merge must not
   * queue behind worktrees being added); moves of the same branch still go one at a time.
   */
  updateBranch(branch: string, newSha: string, oldSha: string): Promise<void> {
    return serially(`ref:${this.commonDir}:${branch}`, async () => {
      // Moving a branch under a work tree would leave its index and files describing the old commit.
      const holder = checkedOutIn(this.commonDir, this.mainCheckedOut ? this.root : undefined, branch);
      if (holder) throw new GitError(`refusing to move branch ${branch}: it is checked out in ${holder}`);
      // update-ref resolves `newSha` itself and refuses anything but a commit on a branch.
      await this.git.out(['update-ref', '-m', `caid: update ${branch}`, `refs/heads/${branch}`, positional(newSha), positional(oldSha)]);
    });
  }

  /** Merges commit `theirs` into `ours` without any work tree: the merged tree or the conflicted paths; see mergeTree. */
  mergeTree(ours: string, theirs: string): Promise<TreeMergeOutcome> {
    return mergeTree(this.git, ours, theirs);
  }

  /** A commit of `tree` with `parents` (in order) and `message`, by caid's identity; moves no ref. */
  async commitTree(tree: string, parents: string[], message: string): Promise<string> {
    const p = parents.flatMap((sha) => ['-p', positional(sha)]);
    return (await this.git.out(['commit-tree', ...p, '-m', message, positional(tree, 'tree')])).trim();
  }

  /** Adds a work tree at `path` (parents created): `newBranch` → `-b`, `detach` → `--detach`, else checks out `start`. */
  addWorktree(path: string, o: { start: string; newBranch?: string; detach?: boolean }): Promise<Worktree> {
    return this.shared(async () => {
      const parent = resolve(path, '..');
      await mkdir(parent, { recursive: true });
      const at = join(realpathSync(parent), basename(path));
      const mode = o.newBranch !== undefined ? ['-b', positional(o.newBranch, 'branch name')] : o.detach ? ['--detach'] : [];
      const t0 = performance.now();
      // caid's own add: the isolation check of rounds running now must not take it for an agent's.
      await ownWorktreeAdd(at, (p) => this.recordedGitDir(p), () => this.git.out(['worktree', 'add', ...mode, at, positional(o.start)]));
      freshCheckoutMs.set(this.commonDir, performance.now() - t0);
      return this.worktree(at);
    });
  }

  /** Removes the work tree at `path` after its pending operations; a directory already gone is pruned instead. */
  removeWorktree(path: string, o: { force?: boolean } = {}): Promise<void> {
    const at = canonical(path);
    return this.shared(() => serially(worktreeQueueKey(at), async () => {
      // git itself refuses the main work tree, a folder that is no worktree and (without force) one
      // with changes; the listing, a process that grows with the worktrees, is only for explaining why.
      const gone = await this.git.run(['worktree', 'remove', ...(o.force ? ['--force'] : []), at], 'any');
      if (gone.exitCode !== 0) {
        const known = (await this.listNow()).some((w) => canonical(w.path) === at);
        if (!known) throw new GitError(`not a worktree of ${this.root}: ${path}`);
        if (existsSync(at)) throw new GitError(`git worktree remove ${at} failed: ${gone.stderr.trim() || gone.stdout.trim()}`);
        await this.git.out(['worktree', 'prune']);
      }
      this.worktrees.delete(at);
    }));
  }

  /**
   * Removes a finished, clean linked worktree without holding the repository's queue (so a merge or
   * a new worktree waits for none of it): its status is read in its own queue, the folder is renamed
   * aside (atomic) and deleted in the background, and git's admin entry, left pointing at nothing,
   * goes with the next pruneWorktrees(). GitError, with nothing touched, for a worktree with changes
   * or submodules (removeWorktree refuses those too) or a folder that is no worktree of this repository.
   */
  async discardWorktree(path: string): Promise<void> {
    const at = await this.disposable(path);
    const aside = `${at}.discarded-${process.pid}-${Date.now()}`;
    await serially(worktreeQueueKey(at), async () => renameSync(at, aside));
    this.worktrees.delete(at);
    await rm(aside, { recursive: true, force: true });
  }

  /**
   * Parks a finished, clean linked worktree at `spare` (`git worktree move`), for takeSpareWorktree
   * (take-spare-worktree.ts) to give to a new task: that task's checkout then writes only the files that differ from the
   * commit the spare holds, not every file of the repository. The spare is left detached.
   * Refuses what discardWorktree refuses.
   */
  async parkWorktree(path: string, spare: string): Promise<void> {
    const at = await this.disposable(path);
    // caid's own move: the isolation check of other rounds running now must not take it for an agent's.
    await ownWorktreeMove(this.recordedGitDir(at), async () => {
      // Detached before it is parked (and can be taken), so the finished task's branch is checked out nowhere.
      await this.worktree(at).detach();
      await this.shared(() => serially(worktreeQueueKey(at), async () => {
        await mkdir(dirname(spare), { recursive: true });
        await this.git.out(['worktree', 'move', at, positional(spare, 'path')]);
      }));
    });
    this.worktrees.delete(at);
  }

  /**
   * Moves the first worktree parked in `sparesDir` to `path` (see takeSpareWorktree): its new path,
   * null when there is none, or 'retry' when it was no worktree any more (a killed run, a hand)
   * and has been deleted, being of no use as a spare.
   */
  moveSpareInto(sparesDir: string, path: string): Promise<string | null | 'retry'> {
    return this.shared(async () => {
      const name = existsSync(sparesDir) ? readdirSync(sparesDir).sort()[0] : undefined;
      if (name === undefined) return null;
      const spare = join(sparesDir, name);
      await mkdir(dirname(path), { recursive: true });
      const at = join(realpathSync(dirname(path)), basename(path));
      const moved = await this.git.run(['worktree', 'move', spare, at], 'any');
      if (moved.exitCode === 0) return at;
      await rm(spare, { recursive: true, force: true });
      return 'retry';
    });
  }

  /** How long the last `worktree add` of this repository took in this process, if there was one. */
  lastCheckoutMs(): number | undefined {
    return freshCheckoutMs.get(this.commonDir);
  }

  /** The canonical path of a linked worktree that can go: GitError if it is none, has submodules or has changes. */
  private async disposable(path: string): Promise<string> {
    const at = canonical(path);
    if (at === this.root || !this.recordedGitDir(at)) throw new GitError(`not a linked worktree of ${this.root}: ${path}`);
    if (existsSync(join(at, '.gitmodules'))) throw new GitError(`${path} has submodules: remove it with git worktree remove`);
    if (!(await this.worktree(at).status()).clean) throw new GitError(`${path} has uncommitted or untracked files`);
    return at;
  }

  /** Linked and main work trees (no bare main); taken between own adds: git fails a listing mid-add (`failed to read …/commondir`). */
  listWorktrees(): Promise<WorktreeInfo[]> {
    return this.shared(() => this.listNow());
  }

  private async listNow(): Promise<WorktreeInfo[]> {
    return parseWorktreeList(await this.git.out(['worktree', 'list', '--porcelain', '-z'])).filter((w) => !w.bare).map(({ bare: _bare, ...w }) => w);
  }

  pruneWorktrees(): Promise<void> {
    return this.shared(async () => {
      await this.git.out(['worktree', 'prune']);
    });
  }

  /**
   * The git dir git recorded for the work tree at `path`: the common dir for the main work tree,
   * else the admin dir under `<common>/worktrees/` whose `gitdir` file names `path/.git`. Never read
   * from the work tree's own `.git` file, which an agent can rewrite to point at a repository it made.
   */
  recordedGitDir(path: string): string | undefined {
    return recordedGitDir(this.commonDir, this.mainCheckedOut ? this.root : undefined, canonical(path));
  }

  /** Handle for an existing work tree; one instance per path. */
  worktree(path: string): Worktree {
    const at = canonical(path);
    let wt = this.worktrees.get(at);
    if (!wt) this.worktrees.set(at, (wt = new Worktree(at, this.identity, () => this.recordedGitDir(at))));
    return wt;
  }

  /** Adds `pattern` to <commonDir>/info/exclude unless a line already equals it. */
  excludeLocally(pattern: string): Promise<void> {
    if (pattern.trim() === '' || /[\r\n]/.test(pattern)) return Promise.reject(new GitError(`invalid exclude pattern: ${JSON.stringify(pattern)}`));
    return this.shared(async () => {
      const file = join(this.commonDir, 'info', 'exclude');
      await mkdir(dirname(file), { recursive: true });
      const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return '';
        throw e;
      });
      if (text.split(/\r?\n/).includes(pattern)) return;
      await appendFile(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}${pattern}\n`);
    });
  }

  /** Ignored, untracked paths of the main work tree; an ignored folder is one entry ending in `/`. */
  async ignoredFiles(): Promise<string[]> {
    const out = await this.git.out(['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory']);
    return out.split('\0').filter(Boolean);
  }

  /** Local branches under `prefix` (e.g. `caid/<runId>/`), with their heads. */
  async listBranches(prefix: string): Promise<{ name: string; sha: string }[]> {
    const out = await this.git.out(['for-each-ref', '--format=%(objectname) %(refname:short)', `refs/heads/${prefix}`]);
    return out.split('\n').filter(Boolean).map((l) => ({ sha: l.slice(0, l.indexOf(' ')), name: l.slice(l.indexOf(' ') + 1) }));
  }

  /** Local branches whose history contains `sha`. */
  async branchesContaining(sha: string): Promise<string[]> {
    const out = await this.git.out(['for-each-ref', '--format=%(refname:short)', '--contains', positional(sha), 'refs/heads']);
    return out.split('\n').filter(Boolean);
  }

  /** Deletes a branch only if it is still at `expectedSha` and checked out nowhere. */
  deleteBranch(name: string, expectedSha: string): Promise<void> {
    return this.shared(async () => {
      const holder = checkedOutIn(this.commonDir, this.mainCheckedOut ? this.root : undefined, name);
      if (holder) throw new GitError(`refusing to delete branch ${name}: it is checked out in ${holder}`);
      const current = await this.resolve(`refs/heads/${name}`);
      if (current !== expectedSha) throw new GitError(`refusing to delete branch ${name}: it is at ${current ?? 'nothing'}, not ${expectedSha}`);
      await this.git.out(['update-ref', '-d', `refs/heads/${positional(name, 'branch name')}`, positional(expectedSha)]);
    });
  }

  /** Whether `a` is an ancestor of (or equal to) `b`. */
  async isAncestor(a: string, b: string): Promise<boolean> {
    return (await this.git.run(['merge-base', '--is-ancestor', positional(a), positional(b)], [0, 1])).exitCode === 0;
  }

  /** Commits in `range` (anything `git log` accepts, e.g. `base..tip`), newest first. */
  async log(range: string, o: { maxCount?: number } = {}): Promise<LogEntry[]> {
    const limit = o.maxCount !== undefined ? [`--max-count=${Math.max(0, Math.floor(o.maxCount))}`] : [];
    return parseLog(await this.git.out(['log', '-z', '--no-color', '--no-show-signature', LOG_FORMAT, ...limit, '--end-of-options', range, '--']));
  }

  private shared<T>(fn: () => Promise<T>): Promise<T> {
    return serially(`repo:${this.commonDir}`, fn);
  }
}

/** How long the last `worktree add` took, per repository (its common dir). */
const freshCheckoutMs = new Map<string, number>();

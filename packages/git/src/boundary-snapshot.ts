import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GitRunner, defaultIdentity } from './git-runner.js';
import { ownMoveCount } from './own-worktree-moves.js';
import { addedByCaid, beingAdded } from './own-worktree-adds.js';
import type { Repo } from './repo.js';
import { logger } from '@caid/log';

const glog = logger('git');

/**
 * What lies outside a task's worktree that its agent must not change, each item by a readable
 * name: the worktree's `.git` pointer and HEAD, the main checkout's HEAD and index, every ref
 * that is not caid's own (`refs/heads/caid/…`, `refs/caid/…` move as other tasks work), the
 * repository's config and hooks, and the other worktrees' HEADs and worktree config.
 */
export type BoundarySnapshot = Map<string, string>;

/**
 * Refs caid itself moves while a round runs (other tasks' branches, integration, held commits, and
 * a distributed worker's conflict-warning copy of the integration head, fetched mid-round).
 */
const OWN_REFS = /^refs\/(heads\/caid|caid|remotes\/caid-warn)\//;
const OTHER_HEAD = /^worktree (.+) HEAD$/;
/**
 * The HEAD `git worktree add` writes first (so the new admin dir is a valid git dir) before the real
 * one, or that file caught empty: git truncates, then writes it.
 */
const PLACEHOLDER_HEAD = /^file:(0{40}(0{24})?)?\n?$/;

export async function boundarySnapshot(repo: Repo, worktree: string): Promise<BoundarySnapshot> {
  const s: BoundarySnapshot = new Map();
  const common = repo.commonDir;
  const own = repo.recordedGitDir(worktree);
  s.set("the task worktree's .git pointer", entry(join(worktree, '.git')));
  if (own) {
    s.set("the task worktree's HEAD", entry(join(own, 'HEAD')));
    // The run this task belongs to (its branch is caid/<runId>/tasks/<id>): another run's moves are that run's business.
    s.set('~run', runOf(entry(join(own, 'HEAD'))) ?? '');
    s.set("the task worktree's config.worktree", entry(join(own, 'config.worktree')));
  }
  s.set("the main checkout's HEAD", entry(join(common, 'HEAD')));
  s.set('the repository config', entry(join(common, 'config')));
  for (const hook of list(join(common, 'hooks'))) s.set(`hook ${hook}`, entry(join(common, 'hooks', hook)));
  for (const name of list(join(common, 'worktrees'))) {
    const admin = join(common, 'worktrees', name);
    if (admin === own) continue;
    s.set(`worktree ${name} HEAD`, entry(join(admin, 'HEAD')));
    s.set(`worktree ${name} config.worktree`, entry(join(admin, 'config.worktree')));
    // Not items of the boundary (INTERNAL): what tells caid's own moves of this worktree from an agent's.
    s.set(`~moves ${name}`, String(ownMoveCount(admin)));
    s.set(`~gitdir ${name}`, entry(join(admin, 'gitdir')));
    // Made by caid (or still being made by git, in any process): a new worktree that is neither is the agent's.
    s.set(`~caid ${name}`, addedByCaid(admin) || beingAdded(admin) ? 'yes' : 'no');
  }
  // git itself, pointed at the common dir: never through a `.git` an agent could have replaced.
  const git = new GitRunner(repo.root, { identity: defaultIdentity, gitDir: () => common });
  const refs = await git.out(['for-each-ref', '--format=%(refname) %(objectname)']);
  for (const line of refs.split('\n').filter(Boolean)) {
    const [name, sha] = line.split(' ');
    if (!OWN_REFS.test(name!)) s.set(`ref ${name}`, sha!);
  }
  if (lstatSync(join(common, 'index'), { throwIfNoEntry: false })) {
    const staged = await git.out(['ls-files', '--stage', '-z']);
    s.set("the main checkout's index", createHash('sha256').update(staged).digest('hex'));
  }
  return s;
}

/**
 * A HEAD caid itself leaves a worktree in: on a caid branch, or detached at a commit. Never a user
 * branch, a missing or replaced HEAD, or git's all-zero placeholder.
 */
function caidState(head: string): boolean {
  return runOf(head) !== undefined || (/^file:[0-9a-f]+\n?$/.test(head) && !PLACEHOLDER_HEAD.test(head));
}

/** The run id of a HEAD entry on a caid branch (`ref: refs/heads/caid/<runId>/…`), else undefined. */
function runOf(head: string): string | undefined {
  return /^file:ref: refs\/heads\/caid\/([^/]+)\//.exec(head)?.[1];
}

/** Snapshot keys that are bookkeeping, not items of the boundary. */
const INTERNAL = /^~/;

/**
 * The items that changed between two snapshots. Another worktree's HEAD counts unless caid itself
 * moved that worktree during the round (own-worktree-moves.ts: a parked spare keeps its admin name
 * and goes from task b's branch, through detached, to task c's while a long round of another task
 * runs), the admin name now belongs to another worktree (its `gitdir` changed: removed and made
 * again), or it was detached before and after (the integration worktree, where caid merges). A
 * worktree removed is caid's doing; one added is only when caid made it (own-worktree-adds.ts),
 * else it is named by its path. So an agent switching another task's worktree, even
 * from one caid branch to another, or detaching it, is a breach.
 */
export function boundaryChanges(before: BoundarySnapshot, after: BoundarySnapshot): string[] {
  const changed: string[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(key);
    const b = after.get(key);
    if (a === b || INTERNAL.test(key)) continue;
    const otherWorktree = OTHER_HEAD.test(key) || /^worktree .+ config\.worktree$/.test(key);
    const head = OTHER_HEAD.exec(key);
    // A worktree that appeared during the round: caid's own, or one the agent made with `git worktree add`.
    if (head && a === undefined && after.get(`~caid ${head[1]}`) === 'no') {
      changed.push(newWorktree(after.get(`~gitdir ${head[1]}`)));
      continue;
    }
    if (otherWorktree && (a === undefined || b === undefined)) continue;
    if (head) {
      const name = head[1]!;
      const movesBefore = before.get(`~moves ${name}`);
      const movesAfter = after.get(`~moves ${name}`);
      // An odd count is a move under way (counted on entry and exit): one that began before the round and ends after it changes nothing in the count.
      const midMove = [movesBefore, movesAfter].some((n) => Number(n ?? 0) % 2 === 1);
      // caid only ever leaves its worktrees detached or on a caid branch: a user branch is never its move.
      const movedByCaid = (movesBefore !== movesAfter || midMove) && caidState(b!);
      // `git worktree add` makes the admin dir, then writes an all-zero HEAD, then the real one: caid adding a worktree while the round ran.
      const beingAdded = a === 'none' || PLACEHOLDER_HEAD.test(a!);
      const anotherWorktree = before.get(`~gitdir ${name}`) !== after.get(`~gitdir ${name}`);
      const detachedThroughout = !a!.startsWith('file:ref:') && !b!.startsWith('file:ref:');
      // Another caid run in the same repository parks and takes over its own worktrees, in its own process.
      const run = before.get('~run');
      const otherRun = [runOf(a!), runOf(b!)].some((r) => r !== undefined && r !== run) && [a!, b!].every((h) => runOf(h) !== undefined || !h.startsWith('file:ref:'));
      if (movedByCaid || beingAdded || anotherWorktree || detachedThroughout || otherRun) continue;
    }
    changed.push(key);
  }
  return changed.sort();
}

const NEW_WORKTREE = 'a new worktree at ';
const UNKNOWN_PATH = '(unknown path)';

/**
 * boundaryChanges against a fresh snapshot, taken again until two looks `gapMs` apart agree (at
 * most `looks` times) and none is an admin dir git is still making. By the time this runs the
 * agent's processes are gone, so what it changed stays changed; what caid itself is doing to other worktrees meanwhile (git's add makes an empty
 * admin dir before it writes anything into it, a remove deletes the files in directory order) is
 * gone a moment later. Without this a half-made or half-removed admin dir read as an agent's own
 * worktree "at (unknown path)", failing an honest task under load.
 */
export async function settledBoundaryChanges(repo: Repo, worktree: string, before: BoundarySnapshot, gapMs = 100, looks = 20): Promise<string[]> {
  let last = await boundarySnapshot(repo, worktree);
  let changed = boundaryChanges(before, last);
  for (let look = 1; changed.length > 0 && look < looks; look++) {
    await new Promise((r) => setTimeout(r, gapMs));
    const snap = await boundarySnapshot(repo, worktree);
    const again = boundaryChanges(before, snap);
    // An admin dir with no `gitdir` yet is never a finished worktree (git writes it second): look again.
    const settled = again.join('\n') === changed.join('\n') && !again.some((c) => c.endsWith(UNKNOWN_PATH));
    if (!settled) glog.debug({ changed, again }, 'boundary still settling: caid\'s own work on another worktree was under way');
    changed = again;
    last = snap;
    if (settled) break;
  }
  if (changed.length) glog.warn({ evidence: evidence(before, last, changed) }, 'isolation breach: what changed outside the task worktree');
  return changed;
}

/** For each other worktree whose HEAD changed: that HEAD before and after the round, and how caid accounts for it. */
function evidence(before: BoundarySnapshot, after: BoundarySnapshot, changed: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of changed) {
    const name = OTHER_HEAD.exec(key)?.[1];
    // Only a worktree's HEAD and caid's bookkeeping: the config or a hook could hold a credential.
    if (name) out[key] = Object.fromEntries([key, ...['~moves', '~gitdir', '~caid'].map((k) => `${k} ${name}`)].map((k) => [k, [before.get(k), after.get(k)]]));
  }
  return out;
}

/** The change naming a worktree the agent added, by its path (git's `gitdir` file names `<path>/.git`). */
function newWorktree(gitdir: string | undefined): string {
  const path = gitdir?.startsWith('file:') ? dirname(gitdir.slice(5).trim()) : UNKNOWN_PATH;
  return `${NEW_WORKTREE}${path}`;
}

/** The path of a worktree the agent added, from its change (see boundaryChanges), else undefined. */
export function addedWorktreePath(change: string): string | undefined {
  return change.startsWith(NEW_WORKTREE) ? change.slice(NEW_WORKTREE.length) : undefined;
}

/**
 * Puts back what can be put back without guessing: the repository config, hooks, worktree config
 * files and the task worktree's own HEAD (their content was recorded). Other refs, HEADs and the
 * index are named, not reset: the user may have moved them on purpose. Returns the items restored.
 */
export function restoreBoundary(repo: Repo, worktree: string, before: BoundarySnapshot, changed: string[]): string[] {
  const restored: string[] = [];
  const common = repo.commonDir;
  const own = repo.recordedGitDir(worktree);
  const fileOf = (key: string): string | undefined => {
    if (key === 'the repository config') return join(common, 'config');
    if (key.startsWith('hook ')) return join(common, 'hooks', key.slice(5));
    if (key === "the task worktree's config.worktree" && own) return join(own, 'config.worktree');
    // Back on its own branch: left on another (the integration branch, say), caid could not move that branch again.
    if (key === "the task worktree's HEAD" && own) return join(own, 'HEAD');
    const m = /^worktree (.+) config\.worktree$/.exec(key);
    return m ? join(common, 'worktrees', m[1]!, 'config.worktree') : undefined;
  };
  for (const key of changed) {
    const file = fileOf(key);
    const was = before.get(key);
    if (!file) continue;
    if (was === undefined || was === 'none') rmSync(file, { force: true });
    else if (was.startsWith('file:')) writeFileSync(file, was.slice(5));
    else continue;
    restored.push(key);
  }
  return restored;
}

/** A file's kind and content ('file:<content>'), a link's target, or 'none'. */
function entry(p: string): string {
  const info = lstatSync(p, { throwIfNoEntry: false });
  if (!info) return 'none';
  if (info.isSymbolicLink()) return 'link';
  if (info.isDirectory()) return 'dir';
  return `file:${readFileSync(p, 'utf8')}`;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    glog.dropped('boundary folder not listed: nothing to watch there', { dir })(err);
    return [];
  }
}

import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Which worktrees caid itself added, so the isolation check (boundary-snapshot.ts) can tell them
 * from a worktree an agent made with `git worktree add` while its round ran (caid adds worktrees
 * for other tasks and for integration at any time). Two marks: the paths this process is adding
 * right now (git has made the admin dir, caid has not marked it yet), and a file caid writes into
 * the admin dir once the add is done. The file goes where the admin dir goes (`worktree move` keeps
 * it, `remove` and `prune` delete it), and another caid process on the same repository (a second
 * run, a worker sharing its clone) sees it too.
 */
export const OWN_ADD_MARK = 'caid-added';
const adding = new Set<string>();

/** Runs `add` (a `git worktree add` at `path`, whose parent exists) as caid's own and marks the new admin dir. */
export async function ownWorktreeAdd<T>(path: string, adminDirOf: (at: string) => string | undefined, add: () => Promise<T>): Promise<T> {
  const at = join(realpathSync(dirname(path)), basename(path));
  adding.add(at);
  try {
    const made = await add();
    const admin = adminDirOf(at);
    if (admin) writeFileSync(join(admin, OWN_ADD_MARK), `${process.pid}\n`);
    return made;
  } finally {
    adding.delete(at);
  }
}

/** True when caid added the worktree with admin dir `adminDir`: marked, or being added by this process. */
export function addedByCaid(adminDir: string): boolean {
  if (existsSync(join(adminDir, OWN_ADD_MARK))) return true;
  return adding.has(dirname(gitdirOf(adminDir) ?? ''));
}

/**
 * True while git is still making the worktree (in any process): its HEAD is the all-zero placeholder
 * (or caught empty, between git's truncate and write),
 * or git's own "initializing" lock is there (removed when `worktree add` ends).
 */
export function beingAdded(adminDir: string): boolean {
  return /^(0{40}(0{24})?)?$/.test(read(join(adminDir, 'HEAD')) ?? 'absent') || read(join(adminDir, 'locked')) === 'initializing';
}

const gitdirOf = (adminDir: string) => read(join(adminDir, 'gitdir'));

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    // expected: absent (no lock, or the admin dir pruned meanwhile) is an answer here
    return undefined;
  }
}

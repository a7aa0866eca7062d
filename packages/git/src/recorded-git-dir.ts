import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The git dir git recorded for the canonical work tree path `at`: the common dir for the main work
 * tree (`mainRoot`, when it is checked out), else the admin dir under `<commonDir>/worktrees/` whose
 * `gitdir` file names `at/.git`. Never read from the work tree's own `.git` file, which an agent can
 * rewrite to point at a repository it made.
 */
export function recordedGitDir(commonDir: string, mainRoot: string | undefined, at: string): string | undefined {
  if (at === mainRoot) return commonDir;
  const admin = join(commonDir, 'worktrees');
  let names: string[];
  try {
    names = readdirSync(admin);
  } catch {
    return undefined; // no linked worktrees at all
  }
  const want = join(at, '.git');
  for (const name of names) {
    let recorded: string;
    try {
      recorded = readFileSync(join(admin, name, 'gitdir'), 'utf8').trim();
    } catch {
      continue; // an admin dir being made or pruned
    }
    if (recorded === want || canonicalParent(recorded) === want) return join(admin, name);
  }
  return undefined;
}

/** A path's real path, or its absolute path while it does not exist (a worktree about to be made). */
export function canonical(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    // not there yet (a worktree about to be made): its absolute path is its name
    return abs;
  }
}

/** `<dir>/.git` with `dir` canonical; the `.git` entry itself is not followed (it may be a planted link). */
function canonicalParent(gitEntry: string): string {
  return join(canonical(dirname(gitEntry)), basename(gitEntry));
}

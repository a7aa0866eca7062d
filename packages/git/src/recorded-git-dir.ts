import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { logger } from '@caid/log';

const glog = logger('git');

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
  } catch (err) {
    glog.dropped('worktrees folder not listed (no linked worktrees)', { dir: admin })(err);
    return undefined;
  }
  const want = join(at, '.git');
  for (const name of names) {
    let recorded: string;
    try {
      recorded = readFileSync(join(admin, name, 'gitdir'), 'utf8').trim();
    } catch (err) {
      glog.dropped('worktree admin dir skipped: being made or pruned', { dir: join(admin, name) })(err);
      continue;
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
    // expected: not there yet (a worktree about to be made): its absolute path is its name
    return abs;
  }
}

/** `<dir>/.git` with `dir` canonical; the `.git` entry itself is not followed (it may be a planted link). */
function canonicalParent(gitEntry: string): string {
  return join(canonical(dirname(gitEntry)), basename(gitEntry));
}

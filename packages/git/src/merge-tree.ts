import { positional, type GitRunner } from './git-runner.js';
import { GitError, type TreeMergeOutcome } from './types.js';

/**
 * Merges commit `theirs` into `ours` with no work tree or index: `git merge-tree --write-tree`
 * (git >= 2.38) runs the same ort merge as `git merge`, writes the result's objects and prints
 * the merged tree, then (exit 1) the conflicted paths. No ref moves; nothing is left to abort.
 */
export async function mergeTree(git: GitRunner, ours: string, theirs: string): Promise<TreeMergeOutcome> {
  const args = ['merge-tree', '--write-tree', '--name-only', '-z', '--no-messages', positional(ours), positional(theirs)];
  const r = await git.run(args, [0, 1]);
  // -z output: <tree> NUL, then each conflicted path NUL (once per path with --name-only).
  const [tree = '', ...paths] = r.stdout.split('\0');
  if (!/^[0-9a-f]{40,64}$/.test(tree)) throw new GitError(`git merge-tree ${ours} ${theirs}: unexpected output ${JSON.stringify(r.stdout.slice(0, 200))}`);
  if (r.exitCode === 0) return { ok: true, tree };
  const conflicts = [...new Set(paths.filter(Boolean))];
  // Same rule as a worktree merge: a failed merge that names no path is an error, not a conflict.
  if (!conflicts.length) throw new GitError(`git merge-tree ${ours} ${theirs} failed without naming a conflicted path: ${r.stderr.trim()}`);
  return { ok: false, conflicts };
}

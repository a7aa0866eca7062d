import { positional, type GitRunner } from './git-runner.js';

/**
 * The work tree that has `branch` checked out, or undefined: one `for-each-ref` whatever the
 * number of work trees (`%(worktreepath)`, git >= 2.23), instead of listing every work tree.
 */
export async function checkedOutIn(git: GitRunner, branch: string): Promise<string | undefined> {
  const ref = `refs/heads/${positional(branch, 'branch name')}`;
  // A pattern also matches refs below it (refs/heads/a matches refs/heads/a/b): keep the exact name.
  const out = await git.out(['for-each-ref', '--format=%(refname) %(worktreepath)', ref]);
  for (const line of out.split('\n')) {
    const at = line.indexOf(' ');
    if (at > 0 && line.slice(0, at) === ref && line.slice(at + 1) !== '') return line.slice(at + 1);
  }
  return undefined;
}

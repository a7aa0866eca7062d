import type { TaskJob } from '@caid/core';
import type { Repo } from '@caid/git';
import { copyIncludedFiles } from './worktree-include.js';
import { shareDirs } from './share-dirs.js';

/**
 * Makes a fresh worktree (a task's or the integration worktree) ready to work in: the ignored
 * files named by `.worktreeinclude`/`include` copied in, the `share` folders linked in.
 * Returns one line per thing done, for the transcript.
 * `hardlinks: false` where agent commands run unsandboxed (see shareDirs).
 */
export async function readyWorktree(repo: Repo, dir: string, prepare: TaskJob['prepare'], o: { hardlinks?: boolean } = {}): Promise<string[]> {
  const copied = await copyIncludedFiles(repo, dir, prepare?.include);
  const shared = await shareDirs(repo, dir, prepare?.share ?? [], o);
  return [
    ...(copied.length ? [`copied into the worktree: ${copied.join(', ')}`] : []),
    ...shared.map((x) => `shared ${x.path} by ${x.mode}${x.note ? ` (${x.note})` : ''}`),
  ];
}

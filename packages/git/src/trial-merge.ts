import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GitRunner, NO_PLANTED_PROGRAMS, defaultIdentity, gitEnv, positional } from './git-runner.js';
import { mergeTree } from './merge-tree.js';

const run = promisify(execFile);

export interface TrialMergeOutcome {
  /** Paths that would conflict if the worktree's current state were merged with `onto` now. */
  conflicts: string[];
  /** Task ids whose merges on `onto` (since the worktree's HEAD) touched those paths. */
  tasks: string[];
}

/**
 * Merges a worktree's current state (committed or not, ignored files left out) with `onto`
 * without touching the worktree, its index or any ref: the state is staged into a temporary index
 * (GIT_INDEX_FILE), written as a tree and a dangling commit on HEAD, then `git merge-tree`.
 */
export async function trialMerge(worktree: string, onto: string): Promise<TrialMergeOutcome> {
  const git = new GitRunner(worktree, { identity: defaultIdentity });
  const head = (await git.out(['rev-parse', 'HEAD'])).trim();
  // Nothing merged since the task's base (the common case early in a run): nothing can conflict, so
  // the temporary index and merge (five more git processes, every few steps of every task) are skipped.
  if ((await git.run(['merge-base', '--is-ancestor', positional(onto), head], [0, 1])).exitCode === 0) return { conflicts: [], tasks: [] };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'caid-trial-'));
  try {
    // GitRunner strips GIT_* from the environment on purpose; here the index is redirected by intent.
    const env = { ...gitEnv(), GIT_INDEX_FILE: path.join(dir, 'index') };
    // The worktree is the agent's: its config may name programs (fsmonitor, hooks) that must not run here.
    const g = async (args: string[]) => (await run('git', ['-c', 'gc.auto=0', ...NO_PLANTED_PROGRAMS, ...args], { cwd: worktree, env, maxBuffer: 64 << 20 })).stdout.trim();
    await g(['read-tree', 'HEAD']);
    await g(['add', '-A']);
    const tree = await g(['write-tree']);
    const id = defaultIdentity;
    const commit = await g(['-c', `user.name=${id.name}`, '-c', `user.email=${id.email}`, 'commit-tree', tree, '-p', head, '-m', 'caid: trial merge']);
    const merged = await mergeTree(git, positional(onto), commit);
    if (merged.ok) return { conflicts: [], tasks: [] };
    return { conflicts: merged.conflicts, tasks: await mergedTasksTouching(git, head, onto, merged.conflicts) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The tasks whose integration merges (`caid: merge task <id>`) since `from` changed any of `paths`. */
async function mergedTasksTouching(git: GitRunner, from: string, onto: string, paths: string[]): Promise<string[]> {
  const log = await git.out(['log', '--first-parent', '--format=%s', `${from}..${onto}`, '--', ...paths]);
  const ids = [...log.matchAll(/^caid: merge task (\S+)/gm)].map((m) => m[1]!);
  return [...new Set(ids)];
}

export { Repo } from './repo.js';
export { Worktree } from './worktree.js';
export { isGitRepo } from './is-git-repo.js';
export { GitError, type Identity, type MergeOutcome, type TreeMergeOutcome, type WorktreeInfo } from './types.js';
export type { WorktreeStatus } from './parse-status.js';
export type { FileStat } from './parse-numstat.js';
export type { LogEntry } from './parse-log.js';
export { openClone, fetchRefs, pushRefs, listRemoteRefs, deleteRemoteRefs, placeWorktree } from './remote.js';

export interface WorktreeInfo {
  path: string;
  head?: string;
  branch?: string;
  detached: boolean;
  locked?: string;
  prunable?: string;
}

export type MergeOutcome =
  | { ok: true; commit: string }
  /** The merge was left in progress (MERGE_HEAD set, markers in files); call `abortMerge()` or resolve and `commitAll()`. */
  | { ok: false; conflicts: string[] };

/** A merge done without a work tree: the merged tree, or the conflicted paths (nothing is left in progress). */
export type TreeMergeOutcome = { ok: true; tree: string } | { ok: false; conflicts: string[] };

export interface Identity {
  name: string;
  email: string;
}

/** Thrown for git failures that are not conflicts; message includes git's stderr. */
export class GitError extends Error {
  override readonly name = 'GitError';
}

export interface WorktreeStatus {
  clean: boolean;
  /** Every path status reports: staged, unstaged, untracked and conflicted. */
  changed: string[];
  conflicted: string[];
}

// The XY codes porcelain v1 uses for unmerged paths.
const UNMERGED = new Set(['DD', 'AU', 'UD', 'UA', 'DU', 'AA', 'UU']);

/** Parses `git status --porcelain=v1 -z --no-renames`: one `XY path` entry per NUL. */
export function parseStatus(out: string): WorktreeStatus {
  const changed: string[] = [];
  const conflicted: string[] = [];
  for (const entry of out.split('\0')) {
    if (entry.length < 4) continue;
    const path = entry.slice(3);
    changed.push(path);
    if (UNMERGED.has(entry.slice(0, 2))) conflicted.push(path);
  }
  return { clean: changed.length === 0, changed, conflicted };
}

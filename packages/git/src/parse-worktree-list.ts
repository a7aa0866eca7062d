import type { WorktreeInfo } from './types.js';

export type ListedWorktree = WorktreeInfo & { bare: boolean };

/** Parses `git worktree list --porcelain -z`: NUL-terminated attribute lines, an empty one ends a record. */
export function parseWorktreeList(out: string): ListedWorktree[] {
  const res: ListedWorktree[] = [];
  let cur: ListedWorktree | undefined;
  for (const field of out.split('\0')) {
    if (field === '') {
      if (cur) res.push(cur);
      cur = undefined;
      continue;
    }
    const i = field.indexOf(' ');
    const key = i < 0 ? field : field.slice(0, i);
    const value = i < 0 ? '' : field.slice(i + 1);
    if (key === 'worktree') {
      cur = { path: value, detached: false, bare: false };
      continue;
    }
    if (!cur) continue;
    if (key === 'HEAD') cur.head = value;
    else if (key === 'branch') cur.branch = value.replace(/^refs\/heads\//, '');
    else if (key === 'detached') cur.detached = true;
    else if (key === 'bare') cur.bare = true;
    else if (key === 'locked') cur.locked = value || 'locked';
    else if (key === 'prunable') cur.prunable = value || 'prunable';
  }
  if (cur) res.push(cur);
  return res;
}

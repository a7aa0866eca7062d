import { describe, expect, it } from 'vitest';
import { parseLog } from './parse-log.js';
import { parseNumstat } from './parse-numstat.js';
import { parseStatus } from './parse-status.js';
import { parseWorktreeList } from './parse-worktree-list.js';

describe('porcelain parsers', () => {
  it('parseWorktreeList reads branch, detached, bare, locked and prunable records', () => {
    const out = [
      'worktree /r', 'HEAD aaa', 'branch refs/heads/main', '',
      'worktree /w/a b', 'HEAD bbb', 'detached', 'locked', '',
      'worktree /w/c', 'HEAD ccc', 'branch refs/heads/caid/x/tasks/c', 'prunable gitdir file points to non-existent location', '',
      'worktree /bare.git', 'bare', '',
    ].join('\0');
    expect(parseWorktreeList(out)).toEqual([
      { path: '/r', head: 'aaa', branch: 'main', detached: false, bare: false },
      { path: '/w/a b', head: 'bbb', detached: true, bare: false, locked: 'locked' },
      { path: '/w/c', head: 'ccc', branch: 'caid/x/tasks/c', detached: false, bare: false, prunable: 'gitdir file points to non-existent location' },
      { path: '/bare.git', detached: false, bare: true },
    ]);
  });

  it('parseStatus separates conflicted paths and keeps spaces and unicode', () => {
    const out = ['UU both.txt', 'AA added both.txt', ' M mod.txt', '?? dir/ü new.txt', 'DU gone.txt', ''].join('\0');
    expect(parseStatus(out)).toEqual({
      clean: false,
      changed: ['both.txt', 'added both.txt', 'mod.txt', 'dir/ü new.txt', 'gone.txt'],
      conflicted: ['both.txt', 'added both.txt', 'gone.txt'],
    });
    expect(parseStatus('')).toEqual({ clean: true, changed: [], conflicted: [] });
  });

  it('parseNumstat counts binary files as zero', () => {
    expect(parseNumstat('3\t1\ta.txt\0-\t-\timg.png\0')).toEqual([
      { file: 'a.txt', insertions: 3, deletions: 1 },
      { file: 'img.png', insertions: 0, deletions: 0 },
    ]);
  });

  it('parseLog reads NUL-separated records with merge parents', () => {
    expect(parseLog('s2\x1fp1 p2\x1fMerge x\0\ns1\x1f\x1froot: a\x1fb\0')).toEqual([
      { sha: 's2', subject: 'Merge x', parents: ['p1', 'p2'] },
      { sha: 's1', subject: 'root: a\x1fb', parents: [] },
    ]);
  });
});

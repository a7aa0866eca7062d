import { describe, expect, it } from 'vitest';
import { boundaryChanges, type BoundarySnapshot } from './boundary-snapshot.js';

const snap = (entries: Record<string, string>): BoundarySnapshot => new Map(Object.entries(entries));
const head = (ref: string) => `file:ref: ${ref}\n`;

describe('boundaryChanges', () => {
  it('names a change to the config, a user ref or the main checkout', () => {
    const before = snap({ 'the repository config': 'file:a', 'ref refs/heads/main': '1', "the main checkout's HEAD": head('refs/heads/main') });
    const after = snap({ 'the repository config': 'file:b', 'ref refs/heads/main': '2', "the main checkout's HEAD": head('refs/heads/evil') });
    expect(boundaryChanges(before, after)).toEqual(['ref refs/heads/main', "the main checkout's HEAD", 'the repository config']);
  });

  it('names another worktree moved from one branch to a user branch', () => {
    const before = snap({ 'worktree a HEAD': head('refs/heads/caid/r/tasks/b') });
    expect(boundaryChanges(before, snap({ 'worktree a HEAD': head('refs/heads/main') }))).toEqual(['worktree a HEAD']);
  });

  it('ignores what caid itself does to other worktrees while a round runs: reuse of a spare for the next task, detaching, adding, removing', () => {
    // A spare keeps its admin name "a": task b's branch, parked (detached), then task c's branch; caid counted each move.
    const moved = (n: string) => ({ '~moves a': n, '~gitdir a': 'file:/wt/r/b/.git\n' });
    expect(boundaryChanges(snap({ 'worktree a HEAD': head('refs/heads/caid/r/tasks/b'), ...moved('0') }), snap({ 'worktree a HEAD': head('refs/heads/caid/r/tasks/c'), ...moved('2') }))).toEqual([]);
    expect(boundaryChanges(snap({ 'worktree a HEAD': head('refs/heads/caid/r/tasks/b'), ...moved('0') }), snap({ 'worktree a HEAD': 'file:0123abcd\n', ...moved('1') }))).toEqual([]);
    expect(boundaryChanges(snap({}), snap({ 'worktree n HEAD': head('refs/heads/caid/r/tasks/n') }))).toEqual([]);
    expect(boundaryChanges(snap({ 'worktree n HEAD': head('refs/heads/caid/r/tasks/n') }), snap({}))).toEqual([]);
    // The integration worktree: detached before and after, caid merging there.
    expect(boundaryChanges(snap({ 'worktree i HEAD': 'file:1111\n' }), snap({ 'worktree i HEAD': 'file:2222\n' }))).toEqual([]);
    // The admin name now belongs to another worktree (removed and made again): not the same worktree switched.
    expect(boundaryChanges(snap({ 'worktree a HEAD': head('refs/heads/caid/r/tasks/b'), '~gitdir a': 'file:/wt/r/b/.git\n' }), snap({ 'worktree a HEAD': head('refs/heads/caid/r/tasks/c'), '~gitdir a': 'file:/wt/r2/c/.git\n' }))).toEqual([]);
  });

  it('ignores a move of caid\'s that spans the whole round, and a worktree caid was adding when it began (seen in CI: both failed honest tasks)', () => {
    // Parking began before the round (count 1: under way) and was still under way at its end: detached, count unchanged.
    const midPark = { '~run': 'r', '~moves a': '1', '~gitdir a': 'file:/wt/r/a/.git\n' };
    expect(boundaryChanges(snap({ 'worktree a HEAD': head('refs/heads/caid/r/tasks/a'), ...midPark }), snap({ 'worktree a HEAD': 'file:258f4aac\n', ...midPark }))).toEqual([]);
    // `git worktree add` for another task: its first HEAD is all zeros, then the branch.
    const adding = { '~run': 'r', '~moves d': '0', '~gitdir d': 'file:/wt/r/d/.git\n' };
    expect(boundaryChanges(snap({ 'worktree d HEAD': `file:${'0'.repeat(40)}\n`, ...adding }), snap({ 'worktree d HEAD': head('refs/heads/caid/r/tasks/d'), ...adding }))).toEqual([]);
    expect(boundaryChanges(snap({ 'worktree d HEAD': 'none', ...adding }), snap({ 'worktree d HEAD': head('refs/heads/caid/r/tasks/d'), ...adding }))).toEqual([]);
    // git truncates the file, then writes the zeros: a look in between reads it empty (seen in CI, under load).
    expect(boundaryChanges(snap({ 'worktree d HEAD': 'file:', ...adding }), snap({ 'worktree d HEAD': head('refs/heads/caid/r/tasks/d'), ...adding }))).toEqual([]);
    // ... but a move under way does not excuse a worktree left on the user's branch, nor zeros written over a real HEAD.
    expect(boundaryChanges(snap({ 'worktree a HEAD': head('refs/heads/caid/r/tasks/a'), ...midPark }), snap({ 'worktree a HEAD': head('refs/heads/main'), ...midPark }))).toEqual(['worktree a HEAD']);
    expect(boundaryChanges(snap({ 'worktree d HEAD': head('refs/heads/caid/r/tasks/d'), ...adding }), snap({ 'worktree d HEAD': `file:${'0'.repeat(40)}\n`, ...adding }))).toEqual(['worktree d HEAD']);
    expect(boundaryChanges(snap({ 'worktree d HEAD': head('refs/heads/caid/r/tasks/d'), ...adding }), snap({ 'worktree d HEAD': 'file:', ...adding }))).toEqual(['worktree d HEAD']);
    // ... nor another worktree's HEAD deleted (the 'being added' state read backwards), nor one deleted mid-park.
    expect(boundaryChanges(snap({ 'worktree d HEAD': head('refs/heads/caid/r/tasks/d'), ...adding }), snap({ 'worktree d HEAD': 'none', ...adding }))).toEqual(['worktree d HEAD']);
    expect(boundaryChanges(snap({ 'worktree a HEAD': head('refs/heads/caid/r/tasks/a'), ...midPark }), snap({ 'worktree a HEAD': 'none', ...midPark }))).toEqual(['worktree a HEAD']);
  });

  it('leaves another caid run\'s worktrees to that run (it parks and takes over its own, in its own process)', () => {
    const same = { '~run': 'r', '~moves a': '0', '~gitdir a': 'file:/wt/r2/b/.git\n' };
    expect(boundaryChanges(snap({ 'worktree a HEAD': head('refs/heads/caid/r2/tasks/b'), ...same }), snap({ 'worktree a HEAD': head('refs/heads/caid/r2/tasks/c'), ...same }))).toEqual([]);
    expect(boundaryChanges(snap({ 'worktree a HEAD': 'file:0123abcd\n', ...same }), snap({ 'worktree a HEAD': head('refs/heads/caid/r2/tasks/c'), ...same }))).toEqual([]);
    // ... but not a move from another run's branch to the user's.
    expect(boundaryChanges(snap({ 'worktree a HEAD': head('refs/heads/caid/r2/tasks/b'), ...same }), snap({ 'worktree a HEAD': head('refs/heads/main'), ...same }))).toEqual(['worktree a HEAD']);
  });

  it('names another task\'s worktree switched between caid branches, or detached, when caid did not move it', () => {
    const same = { '~run': 'r', '~moves a': '4', '~gitdir a': 'file:/wt/r/b/.git\n' };
    expect(boundaryChanges(snap({ 'worktree a HEAD': head('refs/heads/caid/r/tasks/b'), ...same }), snap({ 'worktree a HEAD': head('refs/heads/caid/r/tasks/c'), ...same }))).toEqual(['worktree a HEAD']);
    expect(boundaryChanges(snap({ 'worktree a HEAD': head('refs/heads/caid/r/tasks/b'), ...same }), snap({ 'worktree a HEAD': 'file:0123abcd\n', ...same }))).toEqual(['worktree a HEAD']);
  });

  it('names a worktree that appeared during the round unless caid made it (own-worktree-adds.ts)', () => {
    const appeared = (caid: string) => snap({ 'worktree p HEAD': 'file:0123abcd\n', '~gitdir p': 'file:/wt/r/planted/.git\n', [`~caid p`]: caid });
    expect(boundaryChanges(snap({}), appeared('no'))).toEqual(['a new worktree at /wt/r/planted']);
    expect(boundaryChanges(snap({}), appeared('yes'))).toEqual([]);
  });
});

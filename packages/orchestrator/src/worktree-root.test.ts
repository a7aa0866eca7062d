import { mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkWorktreeRoot, prepareWorktreeRoot } from './worktree-root.js';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'caid-wtroot-'));
  dirs.push(d);
  return d;
};
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('checkWorktreeRoot (caid doctor)', () => {
  it('a root that is not there yet: writable where caid would create it, and nothing is created', () => {
    const d = temp();
    const root = path.join(d, 'caid', 'worktrees', 'repo-1');
    expect(checkWorktreeRoot(root)).toEqual({ ok: true, detail: `${root} (not there yet; caid creates it in ${d}) is writable` });
    expect(readdirSync(d)).toEqual([]);
    // ... and the run's own preparation agrees.
    expect(prepareWorktreeRoot(root)).toBe(path.join(realpathSync(d), 'caid', 'worktrees', 'repo-1'));
  });

  it('an existing root: writable, and the probe file is gone', () => {
    const d = temp();
    writeFileSync(path.join(d, 'kept.txt'), 'x');
    expect(checkWorktreeRoot(d)).toEqual({ ok: true, detail: `${d} is writable` });
    expect(readdirSync(d)).toEqual(['kept.txt']);
  });

  it('not writable: a file in the way, or a file system that takes no files (even for root)', () => {
    const d = temp();
    writeFileSync(path.join(d, 'file'), 'x');
    expect(checkWorktreeRoot(path.join(d, 'file', 'wt'))).toMatchObject({ ok: false, detail: expect.stringContaining(`${path.join(d, 'file')} is not a folder`) });
    expect(checkWorktreeRoot('/proc/caid-worktrees')).toMatchObject({ ok: false, detail: expect.stringMatching(/^\/proc\/caid-worktrees \(not there yet; caid creates it in \/proc\) is not writable \(E[A-Z]+\)$/) });
  });
});

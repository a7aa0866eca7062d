import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinTools, confinePath, type Tool } from '@caid/agent';

/**
 * Red team: a swapper running at the same time as the file tools, in a worker thread of the test
 * process itself (so nothing here depends on caid killing the agent's processes).
 * It flips `d` between a real folder, a link to a folder inside and a link to one outside.
 * The old check-then-open (confinePath, then open by path) is beaten by it; the file tools, which open component by component with O_NOFOLLOW, never are.
 */
const ctx = { signal: new AbortController().signal };
let base: string;
let worktree: string;
let outside: string;
let tools: Tool[];

const SWAPPER = `
const { renameSync, rmSync, symlinkSync } = require('node:fs');
const { workerData } = require('node:worker_threads');
const stop = new Int32Array(workerData.stop);
const { d, dir, linkIn, linkOut, outside } = workerData;
// d cycles: a real folder -> a link inside (to d-dir) -> a link outside -> a real folder ...
// When d is briefly absent a write may create it as a folder; that one is removed and the cycle goes on.
const step = (f) => { try { f(); } catch { try { rmSync(d, { recursive: true, force: true }); } catch {} } };
while (Atomics.load(stop, 0) === 0) {
  step(() => renameSync(dir, d));
  step(() => renameSync(d, dir));
  step(() => { symlinkSync('d-dir', linkIn); renameSync(linkIn, d); });
  step(() => { symlinkSync(outside, linkOut); renameSync(linkOut, d); });
  step(() => rmSync(d, { force: true }));
}
`;

function startSwapper(): { stop: () => Promise<void> } {
  const stop = new SharedArrayBuffer(4);
  const w = new Worker(SWAPPER, {
    eval: true,
    workerData: { stop, outside, d: path.join(worktree, 'd'), dir: path.join(worktree, 'd-dir'), linkIn: path.join(worktree, 'l-in'), linkOut: path.join(worktree, 'l-out') },
  });
  return {
    stop: async () => {
      Atomics.store(new Int32Array(stop), 0, 1);
      await new Promise((r) => w.once('exit', r));
    },
  };
}

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'caid-redteam-openrace-')));
  worktree = path.join(base, 'wt');
  outside = path.join(base, 'outside');
  mkdirSync(outside);
  mkdirSync(path.join(worktree, 'd-dir'), { recursive: true });
  tools = builtinTools(worktree, { sandbox: 'none', runTimeoutSec: 20 });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const use = async (name: string, args: unknown) => {
  const tool = tools.find((t) => t.spec.name === name)!;
  return String(await tool.execute(tool.schema.parse(args), ctx));
};

describe('a folder swapped for a symlink while the file tools work (concurrent swapper thread)', () => {
  it('beats check-then-open: the control shows the race is real', async () => {
    const swapper = startSwapper();
    let escaped = 0;
    try {
      for (let i = 0; i < 200_000 && escaped === 0; i++) {
        try {
          const abs = confinePath(worktree, 'd/control.txt');
          writeFileSync(abs, 'pwned\n');
        } catch { /* refused or vanished this time */ }
        if (existsSync(path.join(outside, 'control.txt'))) escaped++;
      }
    } finally {
      await swapper.stop();
    }
    expect(escaped).toBe(1);
    rmSync(path.join(outside, 'control.txt'));
  }, 120_000);

  it('never lets write_file, read_file, edit_file, list_files or search reach outside', async () => {
    writeFileSync(path.join(outside, 'secret.txt'), 'top secret\n');
    writeFileSync(path.join(worktree, 'd-dir', 'secret.txt'), 'inside\n');
    const swapper = startSwapper();
    let wrote = 0;
    let refused = 0;
    const seen = new Set<string>();
    try {
      // At least 1,500 rounds, and on until both sides of the race were seen: on two saturated cores one side can take thousands.
      for (let i = 0; i < 30_000 && (i < 1500 || wrote === 0 || refused === 0); i++) {
        await use('write_file', { path: `d/x${i}.txt`, content: 'pwned\n' }).then(() => wrote++, () => refused++);
        seen.add(await use('read_file', { path: 'd/secret.txt' }).catch((e: Error) => e.name));
        if (i % 25 === 0) {
          seen.add(await use('edit_file', { path: 'd/secret.txt', old: 'secret', new: 'public' }).catch((e: Error) => e.name));
          seen.add(await use('list_files', { path: 'd' }).catch((e: Error) => e.name));
          seen.add(await use('search', { pattern: 'top', path: 'd' }).catch((e: Error) => e.name));
        }
      }
    } finally {
      await swapper.stop();
    }
    // Nothing was written outside, nothing outside was read or edited.
    expect(readdirSync(outside)).toEqual(['secret.txt']);
    expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret\n');
    for (const answer of seen) expect(answer).not.toMatch(/top secret|d\/secret\.txt:1: top/);
    // The race was really run: some writes landed in the real folder, some met the link and were refused.
    expect(wrote).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 300_000);
});

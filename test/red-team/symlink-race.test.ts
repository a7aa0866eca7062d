import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinTools, type Tool } from '@caid/agent';

/**
 * Red team: the file tools check a path and then open it. An agent that starts a background loop
 * swapping a directory for a symlink to outside its worktree tries to win that race. It cannot:
 * the loop dies with the `run` command that started it, so nothing of the agent's runs while a
 * file tool works, and a symlink left in place is refused.
 */
const ctx = { signal: new AbortController().signal };
let base: string;
let worktree: string;
let outside: string;
let tools: Tool[];
beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'caid-redteam-race-'));
  worktree = path.join(base, 'wt');
  outside = path.join(base, 'outside');
  mkdirSync(outside);
  execFileSync('git', ['init', '-q', worktree]);
  tools = builtinTools(worktree, { sandbox: 'none', runTimeoutSec: 20 });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const use = async (name: string, args: unknown) => {
  const tool = tools.find((t) => t.spec.name === name)!;
  return String(await tool.execute(tool.schema.parse(args), ctx));
};

describe('a symlink swapped in between the path check and the open', () => {
  it('never lets a file tool reach outside the worktree: the swapper dies with its command, a planted link is refused', async () => {
    // The swapper detaches (setsid, output closed) so it would outlive a naive `run`.
    const loop = `while :; do rm -rf d; ln -s ${outside} d; rm -f d; mkdir -p d; done`;
    await use('run', { command: `setsid sh -c '${loop}' >/dev/null 2>&1 < /dev/null & echo started` });
    const survivors = () => execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.includes(`ln -s ${outside}`));
    expect(survivors()).toEqual([]);
    for (let i = 0; i < 200; i++) {
      await use('write_file', { path: `d/x${i}.txt`, content: 'pwned\n' }).catch(() => undefined);
    }
    expect(readdirSync(outside)).toEqual([]);
    // A symlink left in place on purpose is refused, for every file tool.
    rmSync(path.join(worktree, 'd'), { recursive: true, force: true });
    execFileSync('ln', ['-s', outside, path.join(worktree, 'd')]);
    const wrote = await use('write_file', { path: 'd/y.txt', content: 'pwned\n' }).catch((e: Error) => e.message);
    expect(wrote).toMatch(/leads outside the worktree through a symbolic link/);
    expect(existsSync(path.join(outside, 'y.txt'))).toBe(false);
    const read = await use('read_file', { path: 'd/../../outside' }).catch((e: Error) => e.message);
    expect(read).toMatch(/is outside the worktree/);
  }, 60_000);
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinTools, sandboxProblem, type SandboxKind } from '@caid/agent';
import { Repo } from '@caid/git';
import { shareDirs } from '@caid/worker';

/**
 * Red team: `share: {path: data, mode: hardlink}` gives a task a tree of hard links to the user's
 * own ignored files. An agent that writes one of them (write_file) or appends to it from `run`
 * must not change the user's checkout: write_file replaces a hard-linked file instead of writing
 * through it, and under bwrap the shared folder is bound read-only.
 */
const bwrap = sandboxProblem('bwrap') === null;
const ctx = { signal: new AbortController().signal };
let base: string;
let repoDir: string;
const userFile = () => readFileSync(path.join(repoDir, 'data', 'x.txt'), 'utf8');

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'caid-redteam-hardlink-')));
  repoDir = path.join(base, 'repo');
  mkdirSync(path.join(repoDir, 'data'), { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', repoDir]);
  writeFileSync(path.join(repoDir, '.gitignore'), 'data/\n');
  writeFileSync(path.join(repoDir, 'data', 'x.txt'), 'the user\'s data\n');
  execFileSync('git', ['-C', repoDir, 'add', '-A']);
  execFileSync('git', ['-C', repoDir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init']);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function sharedWorktree(name: string, sandbox: SandboxKind, hardlinks = sandbox === 'bwrap') {
  const repo = await Repo.open(repoDir);
  const wt = path.join(base, 'wts', name);
  await repo.addWorktree(wt, { start: 'main', newBranch: `caid/r/tasks/${name}` });
  // caid makes hard links only for agents under bwrap (execute-task: hardlinks = sandboxed).
  const shared = await shareDirs(repo, wt, [{ path: 'data', mode: 'hardlink' }], { hardlinks });
  if (hardlinks) {
    expect(shared).toEqual([{ path: 'data', mode: 'hardlink' }]);
    expect(statSync(path.join(wt, 'data', 'x.txt')).nlink).toBe(2);
  } else {
    expect(shared).toMatchObject([{ path: 'data', mode: 'copy', note: expect.stringMatching(/not sandboxed.*reflinked/) }]);
    expect(statSync(path.join(wt, 'data', 'x.txt')).nlink).toBe(1);
  }
  const tools = builtinTools(wt, { sandbox, runTimeoutSec: 20, readOnly: [path.join(wt, 'data')] });
  const use = async (tool: string, args: unknown) => {
    const t = tools.find((x) => x.spec.name === tool)!;
    return String(await t.execute(t.schema.parse(args), ctx));
  };
  return { wt, use };
}

describe('a hard-linked share never writes through to the user\'s files', () => {
  it('write_file and edit_file replace a linked file; the user\'s copy keeps its content', async () => {
    // Hard links without the sandbox: file tools run in caid, outside any sandbox, so they must not write through either.
    const { wt, use } = await sharedWorktree('a', 'none', true);
    await use('write_file', { path: 'data/x.txt', content: 'agent was here\n' });
    expect(readFileSync(path.join(wt, 'data', 'x.txt'), 'utf8')).toBe('agent was here\n');
    expect(userFile()).toBe('the user\'s data\n');
    expect(statSync(path.join(repoDir, 'data', 'x.txt')).nlink).toBe(1);
  });

  it('without the sandbox the share is a copy: a `run` append (`echo x >> data/x.txt`) changes only the task\'s copy', async () => {
    const { wt, use } = await sharedWorktree('c', 'none');
    expect(await use('run', { command: 'echo pwned >> data/x.txt; echo pwned > data/new.txt; cat data/x.txt' })).toMatch(/^exit code 0\nthe user's data\npwned/);
    expect(readFileSync(path.join(wt, 'data', 'x.txt'), 'utf8')).toBe('the user\'s data\npwned\n');
    expect(userFile()).toBe('the user\'s data\n');
    expect(statSync(path.join(repoDir, 'data', 'x.txt')).nlink).toBe(1);
  });

  it.skipIf(!bwrap)('under bwrap a `run` append to the shared folder is refused and changes nothing', async () => {
    const { wt, use } = await sharedWorktree('b', 'bwrap');
    const out = await use('run', { command: 'echo pwned >> data/x.txt; echo pwned > data/new.txt' });
    expect(out).toMatch(/Read-only file system/);
    expect(userFile()).toBe('the user\'s data\n');
    expect(readFileSync(path.join(wt, 'data', 'x.txt'), 'utf8')).toBe('the user\'s data\n');
    // The rest of the worktree stays writable.
    expect(await use('run', { command: 'echo ok > elsewhere.txt && cat elsewhere.txt' })).toMatch(/^exit code 0\nok/);
    // write_file (in caid, outside the sandbox) still may change the task's own copy, never the user's.
    await use('edit_file', { path: 'data/x.txt', old: 'user', new: 'agent' });
    expect(readFileSync(path.join(wt, 'data', 'x.txt'), 'utf8')).toBe('the agent\'s data\n');
    expect(userFile()).toBe('the user\'s data\n');
  });
});

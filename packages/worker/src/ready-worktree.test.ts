import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Repo } from '@caid/git';
import { allocatePortBlock, PORT_BLOCK } from './port-blocks.js';
import { copyIncludedFiles } from './worktree-include.js';
import { shareDirs } from './share-dirs.js';

const dirs: string[] = [];
const temp = () => { const d = mkdtempSync(path.join(os.tmpdir(), 'caid-ready-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const git = (cwd: string, ...a: string[]) => execFileSync('git', a, { cwd, env: { PATH: process.env.PATH!, HOME: cwd } }).toString().trim();

async function repoWith(files: Record<string, string>) {
  const dir = temp();
  for (const [f, t] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), t);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=u', '-c', 'user.email=u@x', 'commit', '-qm', 'init');
  const repo = await Repo.open(dir);
  const wt = await repo.addWorktree(path.join(temp(), 'wt'), { start: git(dir, 'rev-parse', 'HEAD'), newBranch: 'caid/r/tasks/t' });
  return { dir, repo, wt };
}

describe('port blocks', () => {
  it('hands out distinct blocks of free ports and skips a block with a busy port', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(21_003, '127.0.0.1', r));
    try {
      const a = await allocatePortBlock('a', 21_000);
      const b = await allocatePortBlock('b', 21_000);
      expect(a.base).not.toBe(21_000);
      expect(b.base).not.toBe(21_000);
      expect(b.base).not.toBe(a.base);
      for (const x of [a.base, b.base]) {
        expect(x % PORT_BLOCK).toBe(0);
        expect(x).toBeGreaterThanOrEqual(20_000);
        expect(x + PORT_BLOCK).toBeLessThanOrEqual(32_768);
      }
      a.release();
      b.release();
    } finally {
      busy.close();
    }
  });

  it('never gives a live holder\'s block to another process, and reclaims a dead holder\'s', async () => {
    const script = `import('${path.resolve(__dirname, '../dist/port-blocks.js')}').then(async (m) => { const b = await m.allocatePortBlock('child', 22000); console.log(b.base); setTimeout(() => {}, 30000); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const childBase = await new Promise<number>((r) => child.stdout.once('data', (d) => r(Number(String(d).trim()))));
    try {
      expect(childBase).toBe(22_000);
      const mine = await allocatePortBlock('parent', 22_000);
      expect(mine.base).not.toBe(22_000);
      mine.release();
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
    }
    await new Promise((r) => setTimeout(r, 100));
    const reclaimed = await allocatePortBlock('parent', 22_000);
    expect(reclaimed.base).toBe(22_000);
    reclaimed.release();
    expect(PORT_BLOCK).toBe(10);
  });
});

describe('included files', () => {
  it('copies ignored files named by .worktreeinclude or config, and nothing else', async () => {
    const { dir, repo, wt } = await repoWith({ '.gitignore': '.env\nsecrets/\nbuild/\n', '.worktreeinclude': '.env\n', 'a.txt': 'a' });
    writeFileSync(path.join(dir, '.env'), 'PORT=1\n');
    mkdirSync(path.join(dir, 'secrets'));
    writeFileSync(path.join(dir, 'secrets', 'local.json'), '{}');
    mkdirSync(path.join(dir, 'build'));
    writeFileSync(path.join(dir, 'build', 'huge.bin'), 'x');
    const copied = await copyIncludedFiles(repo, wt.path, ['secrets/']);
    expect(copied.sort()).toEqual(['.env', 'secrets/']);
    expect(readFileSync(path.join(wt.path, '.env'), 'utf8')).toBe('PORT=1\n');
    expect(existsSync(path.join(wt.path, 'secrets', 'local.json'))).toBe(true);
    expect(existsSync(path.join(wt.path, 'build'))).toBe(false);
    expect((await wt.status()).clean).toBe(true);
  });
});

describe('shared folders', () => {
  it('symlinks or hard-links a heavy folder, and caid never commits the link', async () => {
    const { dir, repo, wt } = await repoWith({ '.gitignore': 'node_modules/\n.venv/\n', 'a.txt': 'a' });
    mkdirSync(path.join(dir, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', 'dep', 'index.js'), 'module.exports = 42;');
    mkdirSync(path.join(dir, '.venv', 'bin'), { recursive: true });
    writeFileSync(path.join(dir, '.venv', 'bin', 'python'), '#!/bin/sh');
    const results = await shareDirs(repo, wt.path, [{ path: 'node_modules' }, { path: '.venv', mode: 'hardlink' }]);
    expect(results).toEqual([{ path: 'node_modules', mode: 'symlink' }, { path: '.venv', mode: 'hardlink' }]);
    expect(lstatSync(path.join(wt.path, 'node_modules')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(wt.path, 'node_modules', 'dep', 'index.js'), 'utf8')).toContain('42');
    expect(statSync(path.join(wt.path, '.venv', 'bin', 'python')).ino).toBe(statSync(path.join(dir, '.venv', 'bin', 'python')).ino);
    writeFileSync(path.join(wt.path, 'b.txt'), 'b');
    await wt.commitAll('task work');
    expect(git(wt.path, 'show', '--name-only', '--format=', 'HEAD')).toBe('b.txt');
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinTools } from './builtin-tools.js';
import type { Tool } from './define-tool.js';

/** A killed process whose parent does not reap it stays a zombie ('Z'): dead for our purposes. */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
  } catch {
    return false;
  }
}

let root: string;
let outside: string;
let tools: Map<string, Tool>;
const ctx = { signal: new AbortController().signal };
const call = async (name: string, args: unknown) => {
  const t = tools.get(name)!;
  const parsed = t.schema.parse(args);
  const out = await t.execute(parsed, ctx);
  return typeof out === 'string' ? out : out.output;
};

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'caid-tools-'));
  outside = mkdtempSync(path.join(os.tmpdir(), 'caid-outside-'));
  writeFileSync(path.join(outside, 'secret.txt'), 'top secret');
  mkdirSync(path.join(root, 'src'));
  mkdirSync(path.join(root, '.git'));
  writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 1;\nexport const b = 2;\n');
  symlinkSync(outside, path.join(root, 'link-out'));
  symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'file-link'));
  symlinkSync(path.join(outside, 'planted-by-dangling.txt'), path.join(root, 'dangling'));
  tools = new Map(builtinTools(root, { runTimeoutSec: 5 }).map((t) => [t.spec.name, t]));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('built-in tools', () => {
  it('expose the public names and JSON-schema parameters', () => {
    expect([...tools.keys()]).toEqual(['run', 'read_file', 'write_file', 'edit_file', 'list_files', 'search', 'finish']);
    expect(tools.get('run')!.spec.parameters).toMatchObject({ type: 'object', required: ['command'] });
    expect(tools.get('run')!.spec.parameters).not.toHaveProperty('$schema');
  });

  it('read, write, edit, list and search inside the worktree', async () => {
    expect(await call('write_file', { path: 'src/new/b.ts', content: 'x' })).toMatch(/Wrote 1 bytes/);
    expect(await call('edit_file', { path: 'src/a.ts', old: 'const b = 2', new: 'const b = 3' })).toBe('Edited src/a.ts');
    expect(await call('read_file', { path: 'src/a.ts' })).toBe('export const a = 1;\nexport const b = 3;\n');
    expect(await call('edit_file', { path: 'src/a.ts', old: 'export', new: 'x' })).toMatch(/occurs 2 times/);
    expect(await call('list_files', {})).toBe('dangling\nfile-link\nlink-out\nsrc/a.ts\nsrc/new/b.ts');
    expect(await call('search', { pattern: 'const b', path: 'src' })).toBe('src/a.ts:2: export const b = 3;');
    expect(await call('search', { pattern: '(' })).toMatch(/invalid regular expression/);
  });

  it.each([
    ['read_file', { path: '../secret.txt' }],
    ['read_file', { path: '/etc/passwd' }],
    ['read_file', { path: 'link-out/secret.txt' }],
    ['write_file', { path: 'link-out/planted.txt', content: 'x' }],
    ['write_file', { path: '.git/config', content: 'x' }],
    ['edit_file', { path: '../../etc/passwd', old: 'root', new: 'x' }],
    ['list_files', { path: '..' }],
    ['search', { pattern: 'secret', path: 'link-out' }],
    ['read_file', { path: 'src/../../secret.txt' }],
    ['read_file', { path: '/OUTSIDE/secret.txt' }],
    ['write_file', { path: '/tmp/caid-escape-planted.txt', content: 'x' }],
    ['read_file', { path: 'file-link' }],
    ['write_file', { path: 'file-link', content: 'overwrite the outside file' }],
    ['write_file', { path: 'dangling', content: 'create a file outside' }],
    ['read_file', { path: '.git/config' }],
    ['write_file', { path: 'src/../.git/hooks/pre-commit', content: 'curl evil' }],
    ['read_file', { path: './.git' }],
    ['list_files', { path: '/' }],
    ['search', { pattern: 'root', path: '/etc' }],
    ['edit_file', { path: 'link-out/secret.txt', old: 'top', new: 'x' }],
  ])('%s refuses to leave the worktree: %j', async (name, args) => {
    const a = JSON.parse(JSON.stringify(args).replace('/OUTSIDE', outside));
    await expect(call(name, a)).rejects.toThrow(/outside the worktree|inside \.git|symbolic link/);
    expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it.each([
    ['a directory link made by run', `ln -s OUTSIDE made-dir-link`, 'made-dir-link/secret.txt'],
    ['a file link made by run', `ln -s OUTSIDE/secret.txt made-file-link`, 'made-file-link'],
    ['a link to /etc made by run', 'ln -s /etc etc-link', 'etc-link/passwd'],
  ])('file tools refuse %s', async (_what, command, target) => {
    expect(await call('run', { command: command.replace('OUTSIDE', outside) })).toMatch(/^exit code 0/);
    await expect(call('read_file', { path: target })).rejects.toThrow(/symbolic link/);
    await expect(call('write_file', { path: target, content: 'x' })).rejects.toThrow(/symbolic link/);
    expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('run returns the exit code and kills the whole process group on timeout', async () => {
    expect(await call('run', { command: 'echo out; echo err >&2; exit 3' })).toBe('exit code 3\nout\nerr\n');
    const pidFile = path.join(root, 'child.pid');
    const started = Date.now();
    const out = await call('run', { command: `(sleep 30 & echo $! > ${pidFile}; wait)`, timeoutSec: 1 });
    expect(out).toMatch(/timed out after 1s \(process group killed\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    expect(isRunning(pid)).toBe(false);
  });

  it('run never sees credentials from the environment', async () => {
    const planted = {
      OPENAI_API_KEY: 'sk-test-should-not-leak-1234567890', MY_SERVICE_TOKEN: 'tok-should-not-leak',
      REDIS_URL: 'redis://:should-not-leak-pw@10.0.0.5:6379', DATABASE_URL: 'postgres://u:should-not-leak@db/x',
      AWS_ACCESS_KEY_ID: 'AKIA-should-not-leak', AWS_SECRET_ACCESS_KEY: 'should-not-leak', GOOGLE_APPLICATION_CREDENTIALS: '/should-not-leak.json',
      AZURE_CLIENT_SECRET: 'should-not-leak', GH_TOKEN: 'should-not-leak', NPM_CONFIG_PASSWORD: 'should-not-leak',
    };
    Object.assign(process.env, planted, { PLAIN_REDIS_URL: 'redis://127.0.0.1:6379' });
    try {
      const out = await call('run', { command: 'env' });
      expect(out).not.toContain('should-not-leak');
      expect(out).toContain('PATH=');
      expect(out).toContain('PLAIN_REDIS_URL=redis://127.0.0.1:6379');
    } finally {
      for (const k of [...Object.keys(planted), 'PLAIN_REDIS_URL']) delete process.env[k];
    }
  });

  it('run gets HOME and TMPDIR in the task scratch folder', async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'caid-scratch-'));
    try {
      const run = builtinTools(root, { scratchDir: scratch })[0]!;
      const out = await run.execute(run.schema.parse({ command: 'echo "$HOME|$TMPDIR"; touch ~/.dotfile' }), ctx);
      expect(out).toBe(`exit code 0\n${scratch}/home|${scratch}/tmp\n`);
      expect(readFileSync(path.join(scratch, 'home', '.dotfile'), 'utf8')).toBe('');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

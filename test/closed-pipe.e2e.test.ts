import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, makeRepo, removeTemps, tempDir } from './cli-harness.js';

// A new user (issue 18, session "newuser2") pipes caid into head: `caid doctor | head -3`. head
// quits, and caid's next write crashed it with "Unhandled 'error' event ... EPIPE" and a stack.
// Here the reader closes the pipe before caid writes anything: every write meets a closed pipe.
afterAll(() => removeTemps());

function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('output into a pipe whose reader has gone', () => {
  it('caid doctor ends with its own exit code and no stack trace', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'a.txt': 'a\n' });
    const r = await withClosedStdout(['doctor', '--repo', repo, '--model', 'm', '--base-url', 'http://127.0.0.1:9/v1', '--worktree-root', path.join(dir, 'wt')]);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    // 1: a required check (the model) fails, as with a reader.
    expect(r.code).toBe(1);
  }, 60_000);
});

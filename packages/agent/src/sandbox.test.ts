import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinTools } from './builtin-tools.js';
import { sandboxProblem } from './sandbox.js';

// CI installs bubblewrap (.ci/run); elsewhere these tests need it too, or they say why they skip.
const problem = sandboxProblem('bwrap');
const ctx = { signal: new AbortController().signal };

describe('sandboxProblem', () => {
  it('is null for no sandbox, and names the package to install when bwrap is missing', () => {
    expect(sandboxProblem('none')).toBeNull();
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(sandboxProblem('bwrap')).toMatch(/bubblewrap is not installed \(Debian\/Ubuntu: apt-get install bubblewrap/);
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe.skipIf(problem !== null && !process.env.CI)(`run under bubblewrap${problem ? ` (skipped: ${problem})` : ''}`, () => {
  let root: string;
  let scratch: string;
  let url: string;
  const server = createServer((_req, res) => res.end('reachable'));
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'caid-bwrap-'));
    scratch = mkdtempSync(path.join(os.tmpdir(), 'caid-bwrap-scratch-'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });
  const run = async (command: string) => {
    const tool = builtinTools(root, { scratchDir: scratch, sandbox: 'bwrap' })[0]!;
    return (await tool.execute(tool.schema.parse({ command }), ctx)) as string;
  };

  it('writes in the worktree and scratch folder, nowhere else', async () => {
    expect(problem).toBeNull();
    expect(await run('echo hi > inside.txt && touch "$HOME/ok" && echo done')).toBe('exit code 0\ndone\n');
    expect(readFileSync(path.join(root, 'inside.txt'), 'utf8')).toBe('hi\n');
    const outsideFile = path.join(os.tmpdir(), `caid-bwrap-escape-${process.pid}`);
    const out = await run(`touch ${outsideFile}; touch /usr/caid-escape; echo "exit $?"`);
    expect(out).toMatch(/Read-only file system/);
    expect(existsSync('/usr/caid-escape')).toBe(false);
    expect(existsSync(outsideFile)).toBe(false);
  });

  it('has no network', async () => {
    const probe = `node -e "fetch('${url}').then(r => r.text()).then(t => console.log('got ' + t), e => { console.log('blocked'); process.exit(7); })"`;
    expect(await run(probe)).toBe('exit code 7\nblocked\n');
    // The same probe outside the sandbox reaches the server, so "blocked" above is the sandbox's doing.
    const free = builtinTools(root)[0]!;
    expect(await free.execute(free.schema.parse({ command: probe }), ctx)).toBe('exit code 0\ngot reachable\n');
  });
});

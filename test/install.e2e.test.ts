import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { git, makeRepo, removeTemps, taskOf, tempDir, writesFiles } from './cli-harness.js';

// The packed CLI as a user gets it: `npm pack`, `npm install -g ./caid-<version>.tgz` into a
// temporary prefix, then `caid` run from a folder outside this checkout.
const run = promisify(execFile);
const cliDir = path.resolve(__dirname, '../apps/cli');
let prefix: string;
let caid: string;
let model: ScriptedModelServer;

beforeAll(async () => {
  const dir = tempDir('caid-install-');
  await run('npm', ['pack', '--pack-destination', dir], { cwd: cliDir });
  const tarball = readdirSync(dir).find((f) => /^caid-\d+\.\d+\.\d+\.tgz$/.test(f));
  expect(tarball).toBeDefined();
  prefix = path.join(dir, 'prefix');
  // --prefer-offline: the declared dependencies (bullmq, ioredis) come from the npm cache that `npm ci` filled.
  await run('npm', ['install', '-g', path.join(dir, tarball!), '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir });
  caid = path.join(prefix, 'bin', 'caid');
  model = await startScriptedModel({ rules: [{ when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: 'made\n' })(c) }] });
}, 300_000);
afterAll(async () => {
  await model?.close();
  removeTemps();
});

describe('the installed caid', () => {
  it('prints its version from any folder', async () => {
    const version = JSON.parse((await import('node:fs')).readFileSync(path.join(cliDir, 'package.json'), 'utf8')).version;
    const r = await run(caid, ['--version'], { cwd: tempDir() });
    expect(r.stdout.trim()).toBe(version);
  });

  it('runs a plan on a repository outside the checkout and lands it', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'a.txt': 'a\n' });
    writeFileSync(path.join(dir, 'plan.yaml'), 'goal: two files\ntasks:\n  - { id: one, prompt: p }\n  - { id: two, prompt: p }\n');
    // From the repository itself (no --repo), as the README shows.
    const r = await run(caid, ['run', '--plan', '../plan.yaml', '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--json', '--land'],
      { cwd: repo, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp' } });
    const summary = JSON.parse(r.stdout) as { status: string; commit: string };
    expect(summary.status).toBe('succeeded');
    expect(git(repo, 'rev-parse', 'main')).toBe(summary.commit);
    expect(git(repo, 'ls-files').split('\n').sort()).toEqual(['a.txt', 'one.txt', 'two.txt']);
  }, 120_000);
});

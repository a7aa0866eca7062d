import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs benchmark module
import { measureSharedDeps } from './shared-deps.mjs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shared-deps benchmark (smoke size)', () => {
  it('measures npm ci, symlink and hard link side by side on a tiny project', async () => {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, stdio: 'pipe' });
    writeFileSync(path.join(dir, 'package.json'), '{"name":"s","version":"1.0.0"}\n');
    writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 's', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 's', version: '1.0.0' } } }));
    writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n');
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.name=u', '-c', 'user.email=u@x', 'commit', '-qm', 'init');
    mkdirSync(path.join(dir, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;');
    const rows = await measureSharedDeps({ subject: dir, runs: 1, install: ['ci', '--offline', '--no-audit', '--no-fund'] });
    expect(rows).toHaveLength(1);
    for (const k of ['npmCi', 'symlink', 'hardlink']) expect(rows[0][k]).toBeGreaterThan(0);
  });
});

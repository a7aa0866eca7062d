#!/usr/bin/env node
// Time until a task's worktree is ready to run the project's tests: `npm ci` in every worktree
// against the main checkout's node_modules shared by symlink or by hard links (config `share:`).
// The subject is a clone of caid itself, whose node_modules is a few hundred MB.
// Usage: node bench/shared-deps.mjs [--runs 5]    (writes its section of bench/RESULTS.md)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Repo } from '@caid/git';
import { shareDirs } from '@caid/worker';
import { BENCH_DIR, writeSection } from './lib/results-file.mjs';
import { stats, triple, verdict } from './lib/stats.mjs';
import { machineLine } from './lib/machine.mjs';
import { isMain } from './lib/is-main.mjs';

const sh = (cwd, cmd, args) => execFileSync(cmd, args, { cwd, stdio: 'pipe', env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } });
const ms = async (fn) => { const t = process.hrtime.bigint(); await fn(); return Number(process.hrtime.bigint() - t) / 1e6; };
const du = (dir) => Number(execFileSync('du', ['-sk', dir]).toString().split('\t')[0]) * 1024;

/** One side-by-side measurement per run; `subject` is a checkout whose node_modules is installed. */
export async function measureSharedDeps({ subject, runs = 5, install = ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'] }) {
  const repo = await Repo.open(subject);
  const head = await repo.resolve('HEAD');
  const rows = [];
  for (let i = 0; i < runs; i++) {
    const root = mkdtempSync(path.join(os.tmpdir(), 'caid-bench-wt-'));
    const ready = async (name, prepare) => {
      const dir = path.join(root, name);
      // Each way starts with the writes of the one before on disk, not still being flushed (npm ci
      // writes, and its worktree's removal frees, hundreds of MB).
      execFileSync('sync');
      const t = await ms(async () => {
        await repo.addWorktree(dir, { start: head, detach: true });
        await prepare(dir);
      });
      await repo.removeWorktree(dir, { force: true });
      return t;
    };
    const ways = {
      npmCi: () => ready('npm-ci', async (dir) => sh(dir, 'npm', install)),
      symlink: () => ready('symlink', (dir) => shareDirs(repo, dir, [{ path: 'node_modules', mode: 'symlink' }])),
      hardlink: () => ready('hardlink', (dir) => shareDirs(repo, dir, [{ path: 'node_modules', mode: 'hardlink' }])),
    };
    // A different way goes first in each run, so none always meets a colder or busier disk.
    const order = Object.keys(ways).map((_, k, keys) => keys[(k + i) % keys.length]);
    const row = {};
    for (const way of order) row[way] = await ways[way]();
    rows.push(row);
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

async function main() {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
  const work = mkdtempSync(path.join(os.tmpdir(), 'caid-bench-shared-'));
  const subject = path.join(work, 'caid');
  try {
    sh(work, 'git', ['clone', '-q', '--no-local', path.resolve(BENCH_DIR, '..'), subject]);
    sh(subject, 'npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund']);
    const size = du(path.join(subject, 'node_modules'));
    const rows = await measureSharedDeps({ subject, runs });
    const ratio = (k) => rows.map((r) => r[k] / r.npmCi);
    const md = [
      '## Shared dependencies: worktree ready, `npm ci` per worktree vs shared `node_modules` (issue 9)',
      '',
      `Command: \`node bench/shared-deps.mjs --runs ${runs}\`. Machine: ${machineLine()}.`,
      `Subject: a clone of caid with its own \`node_modules\` (${(size / 2 ** 20).toFixed(0)} MB). Each run creates a worktree three ways, side by side (a different way first in each run, \`sync\` before each), and times worktree add + making dependencies available.`,
      '',
      '| way | time (min / median / max) | ratio to `npm ci` | target ≤ 0.05x |',
      '|---|---|---|---|',
      `| \`npm ci --prefer-offline\` in the worktree | ${triple(rows.map((r) => r.npmCi / 1000), 2, ' s')} | 1 | |`,
      `| \`share: [node_modules]\` (symlink) | ${triple(rows.map((r) => r.symlink / 1000), 3, ' s')} | ${triple(ratio('symlink'), 4, 'x')} | ${verdict(stats(ratio('symlink')).median <= 0.05)} |`,
      `| \`share: [{path: node_modules, mode: hardlink}]\` | ${triple(rows.map((r) => r.hardlink / 1000), 2, ' s')} | ${triple(ratio('hardlink'), 3, 'x')} | ${verdict(stats(ratio('hardlink')).median <= 0.05)} |`,
      '',
      'The symlink shares one copy (writes from a task reach every worktree); hard links give each worktree its own tree of links to the same files (no extra disk, but a tree walk of every file). Where hard links are refused (another filesystem) caid copies and says so.',
      '',
      'The hard-link walk costs one `link` per file and no `stat` (directory entries carry their type); what is left is the',
      'filesystem\'s own cost of a link, which varies with the disk: on this machine `cp -al` of the same 18,700-entry tree',
      'takes as long as caid\'s walk (about 1.2 s under `/tmp`, 0.3–0.6 s elsewhere on the same disk). So the hard-link',
      'row meets the 0.05x target only on a fast disk; the symlink row meets it everywhere.',
    ].join('\n');
    writeSection('shared-deps', md, { runs: rows, nodeModulesBytes: size });
    process.stdout.write(`${md}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await main();

#!/usr/bin/env node
// `npm run bench`: the five benchmarks of the scheduling/overhead/speedup/memory/scale targets, each as
// its own process; `--all` adds every other bench/*.mjs, and names pick some. Each rewrites only its own
// section of RESULTS.md.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machine, machineLine } from './lib/machine.mjs';
import { BENCH_DIR, writeSection } from './lib/results-file.mjs';

const ORDER = ['schedule-vs-limit', 'git-overhead', 'parallel-speedup', 'memory', 'scale'];
// `--all` adds the benchmarks other features brought (queue-overhead needs Redis; shared-deps runs
// npm ci five times): the default run is the five above, within its 15-minute budget.
const all = process.argv.includes('--all');
const only = process.argv.slice(2).filter((a) => a !== '--all');
const found = readdirSync(BENCH_DIR).filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs').map((f) => f.slice(0, -4));
const names = [...ORDER.filter((n) => found.includes(n)), ...found.filter((n) => !ORDER.includes(n)).sort()]
  .filter((n) => (only.length ? only.includes(n) : all || ORDER.includes(n)));

const start = machine();
const t0 = performance.now();
const took = [];
let failed = 0;
for (const name of names) {
  process.stderr.write(`bench: ${name}...\n`);
  const t = performance.now();
  const r = spawnSync(process.execPath, [path.join(BENCH_DIR, `${name}.mjs`)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const secs = (performance.now() - t) / 1000;
  took.push(`${name} ${secs.toFixed(0)} s${r.status === 0 ? '' : ` (FAILED, exit ${r.status})`}`);
  if (r.status !== 0) failed++;
  process.stderr.write(`bench: ${name} ${r.status === 0 ? 'done' : 'FAILED'} in ${secs.toFixed(0)} s\n`);
}
const total = (performance.now() - t0) / 1000;

if (!only.length && !all) {
  writeSection('header', [
    `Machine: ${machineLine(start)}; load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}.`,
    '',
    `Command: \`npm run bench\` (builds first, then \`node bench/run-all.mjs\`; each benchmark also runs alone as \`node bench/<name>.mjs\`).`,
    `Whole run: ${(total / 60).toFixed(1)} minutes (target < 15) — ${took.join(', ')}.`,
    '',
    'Every figure is min / median / max over at least 5 runs (or 5 seeded graphs); ratios are measured side by side in',
    'one run, so they hold on a noisy machine. Raw numbers: `bench/results/<name>.json`.',
  ].join('\n'));
}
process.stderr.write(`bench: all done in ${(total / 60).toFixed(1)} min; see bench/RESULTS.md\n`);
process.exit(failed ? 1 : 0);

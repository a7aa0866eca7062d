#!/usr/bin/env node
// `caid eval commit0` over local clones of Commit0 libraries (issue 19 pt 6): pass rate of the
// reference's passing tests, merges, send-backs, conflicts, wall clock at 1 and N workers.
// Usage: node bench/commit0.mjs --libs DIR [--only a,b] [--variants clean,wrong-first,shared-file]
//          [--workers 4] [--latency-ms 2000] [--one-worker-variants clean] [--keep-logs DIR] [--edges imports|none]
//   DIR holds one git clone per library, each with the stubs on branch commit0_combined and the
//   reference at its parent (bench/README.md says how the clones are made). The 1-worker run (for
//   the N/1 time ratio) is made only for --one-worker-variants, to keep the bench short.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCaid } from './lib/caid-cli.mjs';
import { BENCH_DIR, writeSection } from './lib/results-file.mjs';
import { machineLine } from './lib/machine.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const libsDir = arg('libs', '/work/commit0-libs');
const only = arg('only')?.split(',');
const variants = arg('variants', 'clean,wrong-first,shared-file').split(',');
const oneWorker = arg('one-worker-variants', 'clean').split(',');
const workers = arg('workers', '4');
const latency = arg('latency-ms', '2000');
const keepLogs = arg('keep-logs');
// `none`: the plan without the import graph's edges (rows are kept apart from the default `imports` ones).
const edges = arg('edges', 'imports');
const libs = (only ?? readdirSync(libsDir).sort());
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

// Rows of earlier runs are kept (a re-run of one library replaces only its rows); --fresh drops them,
// --render only rewrites the table from bench/results/commit0.json.
const rawFile = path.join(BENCH_DIR, 'results', 'commit0.json');
const earlier = process.argv.includes('--fresh') || !existsSync(rawFile) ? [] : (JSON.parse(readFileSync(rawFile, 'utf8')).rows ?? []).filter((r) => r.planTasks !== undefined || r.error);
const rows = [];
for (const lib of process.argv.includes('--render') ? [] : libs) {
  for (const variant of variants) {
    const before = load();
    const flags = oneWorker.includes(variant) ? [] : ['--no-one-worker'];
    const r = await runCaid(['eval', 'commit0', '--lib', path.join(libsDir, lib), '--variant', variant, '--workers', workers, '--latency-ms', latency, '--edges', edges, ...flags, ...(keepLogs ? ['--keep-logs', keepLogs] : []), '--json']);
    const line = r.stdout.trim().split('\n').at(-1);
    let rep;
    try { rep = r.code === 2 || !line ? { error: r.stderr.slice(-500) } : JSON.parse(line); } catch { rep = { error: r.stderr.slice(-500) }; }
    rows.push({ lib, variant, edges, exit: r.code, load: `${before} → ${load()}`, ...rep });
    process.stderr.write(`${lib} ${variant}: exit ${r.code} (load ${before} → ${load()})\n${r.stderr.split('\n').filter((l) => l.includes(' worker(s): ')).join('\n')}\n`);
  }
  render(); // after every library: a bench stopped half-way keeps what it measured
}
render(true);

function render(print = false) {
  const shown = [...rows];
  for (const r of earlier) if (!shown.some((x) => x.lib === r.lib && x.variant === r.variant && (x.edges ?? 'imports') === (r.edges ?? 'imports'))) shown.push(r);
  const order = (r) => `${String(r.planTasks ?? 0).padStart(3, '0')} ${r.lib} ${r.edges === 'none' ? 1 : 0} ${variants.indexOf(r.variant)}`;
  const label = (r) => `${r.variant}${r.edges === 'none' ? ', no edges' : ''}`;
  shown.sort((a, b) => order(a).localeCompare(order(b)));
  const pct = (x) => `${(x * 100).toFixed(0)}%`;
  const s = (ms) => `${(ms / 1000).toFixed(0)} s`;
  const table = shown.map((r) => {
    if (r.error) return `| ${r.lib} | ${label(r)} | error: ${r.error.split('\n').filter(Boolean).at(-1)} | | | | | | | | |`;
    const runs = r.runs;
    const cell = (f) => runs.map(f).join(' · ');
    const ratio = runs.length > 1 ? (runs.at(-1).wallMs / runs[0].wallMs).toFixed(2) : '';
    return `| ${r.lib} | ${label(r)} | ${cell((x) => `${x.passed}/${r.referencePassed}`)} | ${cell((x) => `${x.merged}/${x.tasks}`)} | ${cell((x) => x.sendBacks)} | ${cell((x) => x.conflicts)} | ${cell((x) => s(x.wallMs))} | ${cell((x) => (x.batches === undefined ? '?' : `${x.verifies} in ${x.batches}, ${s(x.batchMs)}${x.gateOpenMs ? ` (gate open at +${s(x.gateOpenMs)})` : ''}`))} | ${ratio} | ${r.planTasks} / ${r.criticalPath} → ${r.ratioBound.toFixed(2)} | ${r.load} |`;
  });
  const ok = shown.filter((r) => !r.error);
  const mean = ok.length ? ok.reduce((a, r) => a + r.meanPassRate, 0) / ok.length : 0;
  const all = ok.length ? ok.filter((r) => r.allPassingShare >= 1).length / ok.length : 0;
  const md = [
    '## Commit0 libraries built by an oracle agent (`caid eval commit0`, issue 19)',
    '',
    `Command: \`node bench/commit0.mjs --libs DIR --only ${[...new Set(shown.map((r) => r.lib))].join(',')} --variants ${variants.join(',')} --workers ${workers} --latency-ms ${latency} --one-worker-variants ${oneWorker.join(',')}\`. Machine: ${machineLine()}.`,
    `Each cell is "1 worker · ${workers} workers" where both ran, else the ${workers}-worker run. Passes = tests passing on the result / tests the reference passes.`,
    `Bound = tasks / critical path (tasks) → the best ${workers}/1 time ratio that dependency chain allows (equal tasks, free merges). Load = 1/5/15-min load average before → after. Libraries run one at a time, smallest first.`,
    '',
    `| library | variant | passes | merged | send-backs | conflicts | wall clock | verifies in batches, merge-queue time (when the gate opened: the first verify, on the stubs; beside the first tasks since 2026-12-07 02:10 UTC, before them until then) | ${workers}/1 time | bound | load |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...table,
    '',
    `Mean pass rate (CAID paper): ${pct(mean)}; share of library runs with every reference-passing test passing (OpenHands Index): ${pct(all)}.`,
  ].join('\n');
  writeSection('commit0', md, { rows: shown });
  if (print) process.stdout.write(`${md}\n`);
}

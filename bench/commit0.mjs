#!/usr/bin/env node
// `caid eval commit0` over local clones of Commit0 libraries (issue 19 pt 6): pass rate of the
// reference's passing tests, merges, send-backs, conflicts, wall clock at 1 and N workers.
// Usage: node bench/commit0.mjs --libs DIR [--only a,b] [--variants clean,wrong-first,shared-file] [--workers 4] [--latency-ms 2000]
//   DIR holds one git clone per library, each with the stubs on branch commit0_combined and the
//   reference at its parent (see bench/RESULTS.md for how the clones were made).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { runCaid } from './lib/caid-cli.mjs';
import { writeSection } from './lib/results-file.mjs';
import { machineLine } from './lib/machine.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const libsDir = arg('libs', '/work/commit0-libs');
const only = arg('only')?.split(',');
const variants = arg('variants', 'clean,wrong-first,shared-file').split(',');
const workers = arg('workers', '4');
const latency = arg('latency-ms', '2000');
const libs = readdirSync(libsDir).filter((n) => !only || only.includes(n)).sort();

const rows = [];
for (const lib of libs) {
  for (const variant of variants) {
    const r = await runCaid(['eval', 'commit0', '--lib', path.join(libsDir, lib), '--variant', variant, '--workers', workers, '--latency-ms', latency, '--json']);
    const line = r.stdout.trim().split('\n').at(-1);
    const rep = r.code === 2 || !line ? { error: r.stderr.slice(-500) } : JSON.parse(line);
    rows.push({ lib, variant, exit: r.code, ...rep });
    process.stderr.write(`${lib} ${variant}: exit ${r.code}\n`);
  }
}
const pct = (x) => `${(x * 100).toFixed(0)}%`;
const table = rows.map((r) => {
  if (r.error) return `| ${r.lib} | ${r.variant} | error: ${r.error.split('\n').filter(Boolean).at(-1)} | | | | | |`;
  const [one, n] = [r.runs[0], r.runs.at(-1)];
  const rate = (x) => `${x.passed}/${r.referencePassed}`;
  return `| ${r.lib} | ${r.variant} | ${rate(one)} · ${rate(n)} | ${one.merged}/${one.tasks} · ${n.merged}/${n.tasks} | ${one.sendBacks} · ${n.sendBacks} | ${one.conflicts} · ${n.conflicts} | ${(one.wallMs / 1000).toFixed(0)} s · ${(n.wallMs / 1000).toFixed(0)} s | ${(n.wallMs / one.wallMs).toFixed(2)} |`;
});
const ok = rows.filter((r) => !r.error);
const mean = ok.length ? ok.reduce((a, r) => a + r.meanPassRate, 0) / ok.length : 0;
const all = ok.length ? ok.filter((r) => r.allPassingShare >= 1).length / ok.length : 0;
const md = [
  '## Commit0 libraries built by an oracle agent (`caid eval commit0`, issue 19)',
  '',
  `Command: \`node bench/commit0.mjs --libs DIR --variants ${variants.join(',')} --workers ${workers} --latency-ms ${latency}\`. Machine: ${machineLine()}.`,
  'Each cell is "1 worker · N workers". Pass = tests passing on the result / tests the reference passes.',
  '',
  '| library | variant | passes | merged | send-backs | conflicts | wall clock | N/1 time |',
  '|---|---|---|---|---|---|---|---|',
  ...table,
  '',
  `Mean pass rate (CAID paper): ${pct(mean)}; share of library runs with every reference-passing test passing (OpenHands Index): ${pct(all)}.`,
].join('\n');
writeSection('commit0', md, { rows });
process.stdout.write(`${md}\n`);

#!/usr/bin/env node
// Early conflict warnings (issue 14 pt 5): conflict rounds with and without the warnings, on
// overlapping pairs of tasks (bench/lib/overlap-scenario.mjs) played by the scripted model over
// real HTTP through the real CLI, and on the demo plan (scripts/demo).
// Usage: npm run build && node bench/conflict-warnings.mjs [--pairs 3] [--runs 3]
//        (writes its section of bench/RESULTS.md)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startScriptedModel } from '@caid/llm/testing';
import { createOverlapRepo, overlapRules } from './lib/overlap-scenario.mjs';
import { createSampleLibrary } from '../scripts/demo/sample-library.mjs';
import { demoRules } from '../scripts/demo/demo-model.mjs';
import { runCaid } from './lib/caid-cli.mjs';
import { writeSection } from './lib/results-file.mjs';
import { machineLine } from './lib/machine.mjs';

const arg = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : fallback; };
const pairs = arg('pairs', 3);
const runs = arg('runs', 3);

/** One `caid run`; the conflict rounds and warnings it had, and its wall clock. */
async function once(make, rules, workers, warnings) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-bench-warn-'));
  const model = await startScriptedModel({ rules });
  try {
    const { repo, planFile } = make(dir);
    const r = await runCaid(['run', '--plan', planFile, '--repo', repo, '--workers', String(workers), '--model', 'm', '--base-url', model.url,
      '--worktree-root', path.join(dir, 'worktrees'), '--conflict-warnings', String(warnings), '--json']);
    if (r.code !== 0) throw new Error(`caid run exited ${r.code}: ${r.stderr.slice(-2000)}`);
    const summary = JSON.parse(r.stdout);
    return {
      conflicts: summary.tasks.reduce((n, t) => n + (t.conflicts ?? 0), 0),
      warnings: (r.stderr.match(/would conflict on/g) ?? []).length,
      merged: summary.tasks.filter((t) => t.status === 'merged').length,
      seconds: r.ms / 1000,
    };
  } finally {
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const scenarios = [
  { name: `overlapping pairs (${pairs} pairs, ${pairs * 2} workers)`, make: (d) => createOverlapRepo(d, pairs), rules: () => overlapRules(), workers: pairs * 2 },
  { name: 'demo plan (6 tasks, 3 workers)', make: (d) => createSampleLibrary(d), rules: () => demoRules(), workers: 3 },
];
const rows = [];
for (const s of scenarios) {
  for (const warnings of [0, 3]) {
    const all = [];
    for (let i = 0; i < runs; i++) all.push(await once(s.make, s.rules(), s.workers, warnings));
    const mean = (k) => all.reduce((n, x) => n + x[k], 0) / all.length;
    const row = { scenario: s.name, warnings, conflictRounds: all.map((x) => x.conflicts), warningsSent: all.map((x) => x.warnings), merged: all.map((x) => x.merged), meanSeconds: mean('seconds') };
    rows.push(row);
    process.stderr.write(`${s.name}, --conflict-warnings ${warnings}: conflict rounds ${row.conflictRounds.join(' ')}, warnings ${row.warningsSent.join(' ')}, ${row.meanSeconds.toFixed(1)} s\n`);
  }
}

const table = rows.map((r) => `| ${r.scenario} | ${r.warnings || 'off'} | ${r.conflictRounds.join(', ')} | ${r.warningsSent.join(', ')} | ${r.merged.join(', ')} | ${r.meanSeconds.toFixed(1)} |`).join('\n');
writeSection('conflict-warnings', `## Early conflict warnings: conflict rounds with and without (issue 14)

Re-run: \`npm run build && node bench/conflict-warnings.mjs [--pairs ${pairs}] [--runs ${runs}]\`. ${machineLine()}

Real CLI, scripted model over HTTP. *Overlapping pairs*: each pair is a quick and a slow task
adding an entry at the same place of one file (bench/lib/overlap-scenario.mjs); the slow task's
scripted agent adapts when told (reads the merged version, moves its entry clear of the merged
change). *Demo plan*: \`npm run demo\`'s plan and scripted model, which does not react to the
warning text. One value per run.

| scenario | --conflict-warnings | conflict rounds | warnings sent | tasks merged | mean wall-clock (s) |
|---|---|---|---|---|---|
${table}
`, rows);

#!/usr/bin/env node
// Benchmark 3: end-to-end speedup of a 12-task plan at N = 4 against N = 1, through the real CLI.
import path from 'node:path';
import { startScriptedModel } from '@caid/llm/testing';
import { caidRun, makeRepo, runEvents, scratch } from './lib/caid-cli.mjs';
import { isMain } from './lib/is-main.mjs';
import { listMakespan } from './lib/layered-graph.mjs';
import { writeSection } from './lib/results-file.mjs';
import { LIBRARY_FILES, slowAgentRule } from './lib/slow-agent.mjs';
import { stats, triple, verdict } from './lib/stats.mjs';

export const TOLERANCE = 0.1;
const MODULES = ['strings', 'numbers', 'dates', 'arrays', 'objects', 'parse', 'format', 'validate'];

/** core → 8 modules → index → {docs, examples}: 12 tasks, 4 levels. */
export const libraryPlan = () => ({
  goal: 'a small utility library',
  tasks: [
    { id: 'core', prompt: 'Write the shared core helpers.' },
    ...MODULES.map((m) => ({ id: m, prompt: `Write the ${m} module.`, dependsOn: ['core'] })),
    { id: 'index', prompt: 'Export every module from src/index.js.', dependsOn: MODULES },
    { id: 'docs', prompt: 'Document the library.', dependsOn: ['index'] },
    { id: 'examples', prompt: 'Write usage examples.', dependsOn: ['index'] },
  ],
});

/** Ideal speedup of the plan with equal task durations: greedy list schedule at N = 1 over N = n. */
export function idealSpeedup(plan, n) {
  const unit = plan.tasks.map((t) => ({ id: t.id, dependsOn: t.dependsOn ?? [], duration: 1 }));
  const prio = new Map(unit.map((t) => [t.id, 0]));
  return listMakespan(unit, 1, prio) / listMakespan(unit, n, prio);
}

const span = (repo, runId) => {
  const ev = runEvents(repo, runId);
  return Date.parse(ev.at(-1).at) - Date.parse(ev[0].at);
};

export async function benchSpeedup({ reps = 5, delayMs = 300, calls = 4, workers = 4 } = {}) {
  const s = scratch('caid-bench-speedup-');
  const model = await startScriptedModel({ rules: [slowAgentRule({ delayMs, calls })] });
  try {
    const repo = makeRepo(path.join(s.dir, 'repo'), LIBRARY_FILES);
    const plan = libraryPlan();
    const runs = [];
    for (let rep = 0; rep < reps; rep++) {
      const one = {};
      for (const n of rep % 2 ? [workers, 1] : [1, workers]) {
        const r = await caidRun({ plan, repo, workers: n, modelUrl: model.url, worktreeRoot: path.join(s.dir, 'wt') });
        one[n === 1 ? 'one' : 'many'] = { ms: r.ms, span: span(repo, r.summary.runId) };
      }
      runs.push(one);
    }
    return { reps, delayMs, calls, workers, tasks: plan.tasks.length, ideal: idealSpeedup(plan, workers), runs };
  } finally {
    await model.close();
    s.dispose();
  }
}

/** One row per task size: `rs` are benchSpeedup results that differ only in `calls`. */
export function speedupSection(rs, command) {
  const [r] = rs;
  const floor = (1 - TOLERANCE) * r.ideal;
  const per = (x) => ({
    wall: x.runs.map((y) => y.one.ms / y.many.ms),
    log: x.runs.map((y) => y.one.span / y.many.span),
    outside: x.runs.map((y) => (y.one.ms - y.one.span + y.many.ms - y.many.span) / 2000),
    task: stats(x.runs.map((y) => y.one.span)).median / x.tasks / 1000,
  });
  const rows = rs.map((x) => ({ x, ...per(x) }));
  const tiny = rows.find((y) => y.x.calls === Math.min(...rs.map((z) => z.calls)));
  const met = rows.filter((y) => stats(y.wall).median >= floor);
  return [
    '## 3. Parallel speedup end to end',
    '',
    `Command: \`${command}\`. A ${r.tasks}-task library plan (\`core\` → 8 modules → \`index\` → \`docs\`, \`examples\`) on a small`,
    `repository, through the real CLI; the scripted model (real HTTP) answers every call after ${r.delayMs} ms. Each task's agent`,
    'lists files some times, writes its module and its test, and finishes; the rows differ only in how many model calls',
    `a task takes. Verify off. ${r.reps} runs per row, N = 1 and N = ${r.workers} side by side in each run (alternating which goes first).`,
    '',
    `Ideal speedup of this graph at N = ${r.workers} with equal task durations: ${r.ideal.toFixed(2)}x (12 task-lengths at N = 1, 5 at N = 4);`,
    `target ≥ ${floor.toFixed(2)}x (within ${TOLERANCE * 100}%).`,
    '',
    '| model calls per task | speedup, process wall clock (spawn → exit) | speedup, run span from the log | N = 1 wall clock | N = 4 wall clock | task at N = 1 (span / 12) | process start + exit (outside the span) | target |',
    '|---:|---|---|---|---|---|---|---|',
    ...rows.map((y) => `| ${y.x.calls} (${(y.x.calls * y.x.delayMs / 1000).toFixed(1)} s of model time) | ${triple(y.wall, 2, 'x')} | ${triple(y.log, 2, 'x')} | ${triple(y.x.runs.map((z) => z.one.ms / 1000), 2, ' s')} | ${triple(y.x.runs.map((z) => z.many.ms / 1000), 2, ' s')} | ${y.task.toFixed(2)} s | ${triple(y.outside, 2, ' s')} | ${verdict(stats(y.wall).median >= floor)} |`),
    '',
    met.length === rows.length ? [
      'The target is met on every row. What is left between the figure and the ideal is serial by design: the merges that',
      'release the next level (`core`, the last of the 8 modules, `index`, then `docs` and `examples` one after the other) sit',
      'on the critical path at N = 4, where at N = 1 a merge overlaps the next task\'s agent; process start and exit are paid',
      'by both runs. A merge without verify is 3 git processes (merge-tree alongside merge-base --is-ancestor, commit-tree,',
      'update-ref), about 15 ms on an idle machine. It was about 120 ms while git was spawned through simple-git, which',
      'waits 50 ms more after every command that prints nothing (update-ref, merge-base --is-ancestor).',
    ].join('\n') : [
      `${met.length ? `Met with ${met.map((y) => y.x.calls).join(', ')} calls per task; ` : ''}missed with ${rows.filter((y) => !met.includes(y)).map((y) => y.x.calls).join(', ')} calls per task.`,
      `Why: the ${tiny.x.calls}-call task is ${(tiny.x.calls * tiny.x.delayMs / 1000).toFixed(1)} s of model time and ${tiny.task.toFixed(2)} s at N = 1, so caid's own work per task (worktree, commit,`,
      'merge, cleanup: about ten git processes, each 25–100 ms on this loaded 2-core machine) is a large share of it. At N = 1 a',
      'merge overlaps the next task\'s agent; at N = 4 the merges that release the next level (`core`, the last of the 8 modules,',
      '`index`, then `docs` and `examples` one after the other) sit on the critical path, and merges are serial by design (one',
      `integration branch). Process start and exit (${stats(tiny.outside).median.toFixed(2)} s, paid once by both runs) weigh on the wall-clock ratio, which is why`,
      'the run span (run.started → run.finished) is the higher figure. The longer a task, the smaller those shares: real agents',
      'make tens of calls per task (the CAID paper caps each engineer round at 80 iterations, and its single agent averages 58–87\nper benchmark task), where the serial part is negligible.',
    ].join('\n'),
  ].join('\n');
}

/** `--calls 4,8`: one row per task size (the default, 4, keeps `npm run bench` within 15 minutes). */
export function callsArg(argv, fallback = [4]) {
  const i = argv.indexOf('--calls');
  return i >= 0 ? argv[i + 1].split(',').map(Number) : fallback;
}

if (isMain(import.meta.url)) {
  const rs = [];
  for (const calls of callsArg(process.argv)) rs.push(await benchSpeedup({ calls }));
  const md = speedupSection(rs, 'node bench/parallel-speedup.mjs');
  writeSection('parallel-speedup', md, rs);
  process.stdout.write(`${md}\n`);
}

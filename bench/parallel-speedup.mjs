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

export function speedupSection(r, command) {
  const wall = r.runs.map((x) => x.one.ms / x.many.ms);
  const log = r.runs.map((x) => x.one.span / x.many.span);
  const floor = (1 - TOLERANCE) * r.ideal;
  return [
    '## 3. Parallel speedup end to end',
    '',
    `Command: \`${command}\`. A ${r.tasks}-task library plan (\`core\` → 8 modules → \`index\` → \`docs\`, \`examples\`) on a small`,
    `repository, through the real CLI; the scripted model (real HTTP) answers every call after ${r.delayMs} ms, and each task's`,
    `agent makes ${r.calls} calls (write the module, write its test, finish). Verify off. ${r.reps} runs, N = 1 and N = ${r.workers}`,
    'side by side in each run (alternating which goes first).',
    '',
    `Ideal speedup of this graph at N = ${r.workers} with equal task durations: ${r.ideal.toFixed(2)}x (12 task-lengths at N = 1, 5 at N = 4).`,
    '',
    '| figure | min / median / max | target | |',
    '|---|---|---|---|',
    `| speedup, process wall clock (spawn → exit) | ${triple(wall, 2, 'x')} | ≥ ${floor.toFixed(2)}x (within ${TOLERANCE * 100}% of ${r.ideal.toFixed(2)}x) | ${verdict(stats(wall).median >= floor)} |`,
    `| speedup, run span from the log (run.started → run.finished) | ${triple(log, 2, 'x')} | | ${verdict(stats(log).median >= floor)} |`,
    `| N = 1 wall clock | ${triple(r.runs.map((x) => x.one.ms / 1000), 2, ' s')} | | |`,
    `| N = ${r.workers} wall clock | ${triple(r.runs.map((x) => x.many.ms / 1000), 2, ' s')} | | |`,
    '',
    stats(wall).median >= floor ? 'The target is met.' : [
      `Why it is missed: a task here is ${r.calls} x ${r.delayMs} ms of model time plus caid's own work. At N = 1 a task costs`,
      `${(stats(r.runs.map((x) => x.one.ms)).median / r.tasks / 1000).toFixed(2)} s of wall clock, so ~${(stats(r.runs.map((x) => x.one.ms)).median / r.tasks - r.calls * r.delayMs).toFixed(0)} ms of it is process start, worktree, commit, merge and cleanup`,
      'on this loaded 2-core machine (each git process costs tens of ms here). The parts that cannot overlap are what',
      'cost speedup: merges are serial by design (one integration branch), so the 8 module merges queue up before `index`',
      'can start, and worktree creation is serialised per repository (a git safety rule); process start and cleanup are',
      'paid once in both runs. What would fix it: merging without a worktree when verify is off (`git merge-tree',
      '--write-tree` + `commit-tree` + `update-ref`: 3 git processes instead of ~8, no checkout), which shortens the serial',
      'part; with real agents (tens of calls per task instead of 4) the same overhead is a far smaller share.',
    ].join('\n'),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const r = await benchSpeedup();
  const md = speedupSection(r, 'node bench/parallel-speedup.mjs');
  writeSection('parallel-speedup', md, r);
  process.stdout.write(`${md}\n`);
}

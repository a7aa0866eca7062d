#!/usr/bin/env node
// Benchmark 1: the real scheduler against the graph's limit, with and without size estimates,
// next to a wave-barrier baseline and exact list schedules.
import os from 'node:os';
import { bottomLevels, buildGraph } from '@caid/core';
import { layeredGraph, limits, listMakespan, lowerBound, trunk, waveMakespan, weightedLevels } from './lib/layered-graph.mjs';
import { withEstimates } from './lib/estimates.mjs';
import { simulatedRun } from './lib/simulated-run.mjs';
import { virtualClock } from './lib/virtual-clock.mjs';
import { stats, triple } from './lib/stats.mjs';
import { isMain } from './lib/is-main.mjs';
import { writeSection } from './lib/results-file.mjs';

export const SHAPES = [
  { name: 'wide (4 layers, fan-in ≤ 3)', depth: 4, fanIn: 3 },
  { name: 'medium (10 layers, fan-in ≤ 2)', depth: 10, fanIn: 2 },
  { name: 'deep (25 layers, fan-in ≤ 3)', depth: 25, fanIn: 3 },
  { name: 'chains (50 layers, fan-in 1)', depth: 50, fanIn: 1 },
];
export const TARGET = 1.05;

/** Makespan of one plan through the real schedule() on a virtual clock. */
export async function caidMakespan(plan, workers) {
  const clock = virtualClock();
  const final = await clock.drive(simulatedRun(plan, { workers, sleep: clock.sleep }).then((s) => {
    if (s.status !== 'succeeded') throw new Error(`simulated run ended ${s.status}`);
  }));
  return final;
}

/** Makespan on the wall clock, durations in ms: what event-loop and bookkeeping overhead adds. */
export async function wallMakespan(plan, workers, msPerUnit) {
  const sleep = (d) => new Promise((r) => setTimeout(r, d * msPerUnit));
  const t0 = performance.now();
  await simulatedRun(plan, { workers, sleep });
  return (performance.now() - t0) / msPerUnit;
}

/** Node's timers count whole milliseconds: round durations so the bound and the sleeps agree. */
const wholeMs = (plan, msPerUnit) => plan.map((t) => ({ ...t, duration: Math.max(1, Math.round(t.duration * msPerUnit)) / msPerUnit }));

/** The caid configurations measured: without estimates, with exact ones, with a planner's noisy guesses. */
export const CAID = [
  { key: 'caid', name: 'no estimates' },
  { key: 'caidExact', name: 'exact estimates', sigma: 0 },
  { key: 'caidNoisy', name: 'noisy estimates', sigma: 0.5 },
];

export async function benchSchedule({ tasks = 200, seeds = 5, workers = [2, 4, 8, 16], wall = { seeds: 5, workers: [4, 16], msPerUnit: 10 } } = {}) {
  const rows = [];
  const shapes = [];
  for (const shape of SHAPES) {
    // What the graphs look like: how many tasks lie on a longest path, and the branches that leave it.
    const looks = { shape: shape.name, trunkTasks: [], branches: [], branchLength: [] };
    for (let seed = 1; seed <= seeds; seed++) {
      const t = trunk(layeredGraph({ tasks, depth: shape.depth, fanIn: shape.fanIn, seed: seed * 7919 + shape.depth }));
      looks.trunkTasks.push(t.trunkTasks);
      looks.branches.push(t.branches.length);
      looks.branchLength.push(stats(t.branches).median);
    }
    shapes.push(looks);
    for (const n of workers) {
      const row = { shape: shape.name, workers: n, criticalPath: [], workPerWorker: [], wave: [], unitList: [], oracle: [] };
      for (const c of CAID) row[c.key] = [];
      for (let seed = 1; seed <= seeds; seed++) {
        const graphSeed = seed * 7919 + shape.depth;
        const plan = layeredGraph({ tasks, depth: shape.depth, fanIn: shape.fanIn, seed: graphSeed });
        const bound = lowerBound(plan, n);
        const { criticalPath, work } = limits(plan);
        row.criticalPath.push(criticalPath);
        row.workPerWorker.push(work / n);
        const levels = bottomLevels(buildGraph({ goal: 'g', tasks: plan.map((t) => ({ ...t, prompt: 'p', files: [] })) }));
        for (const c of CAID) {
          // The noise is seeded from the graph, so every N sees the same guesses.
          const estimated = c.sigma === undefined ? plan : withEstimates(plan, { sigma: c.sigma, seed: graphSeed + 104729 });
          row[c.key].push((await caidMakespan(estimated, n)) / bound);
        }
        row.wave.push(waveMakespan(plan, n, levels) / bound);
        row.unitList.push(listMakespan(plan, n, levels) / bound);
        row.oracle.push(listMakespan(plan, n, weightedLevels(plan)) / bound);
      }
      rows.push(row);
    }
  }
  const wallRows = [];
  // Late timers on a busy machine inflate the wall-clock ratios: keep the load next to them.
  const load = { average: os.loadavg()[0], cores: os.availableParallelism() };
  if (wall) {
    const shape = SHAPES[1];
    for (const n of wall.workers) {
      const ratios = [];
      for (let seed = 1; seed <= wall.seeds; seed++) {
        const plan = wholeMs(layeredGraph({ tasks, depth: shape.depth, fanIn: shape.fanIn, seed: seed * 7919 + shape.depth }), wall.msPerUnit);
        ratios.push((await wallMakespan(plan, n, wall.msPerUnit)) / lowerBound(plan, n));
      }
      wallRows.push({ shape: shape.name, workers: n, ratios });
    }
  }
  return { tasks, seeds, rows, shapes, wallRows, wall, load };
}

const median = (xs) => stats(xs).median;
const f3 = (x) => x.toFixed(3);

/** Which caid configurations meet the target on a row (by the median over seeds). */
export function rowVerdict(row) {
  const met = CAID.filter((c) => median(row[c.key]) <= TARGET).map((c) => c.name);
  const missed = CAID.filter((c) => median(row[c.key]) > TARGET).map((c) => c.name);
  if (!missed.length) return 'met by all three';
  if (!met.length) return '**missed** by all three';
  return `met with ${met.join(', ')}; **missed** with ${missed.join(', ')}`;
}

export function scheduleSection(r, command) {
  const find = (shape, n) => r.rows.find((x) => x.shape.startsWith(shape) && x.workers === n);
  const cite = (row, key) => (row ? f3(median(row[key])) : 'n/a');
  const bound = (row) => (row ? `critical path ${median(row.criticalPath).toFixed(1)}, work / N ${median(row.workPerWorker).toFixed(1)}` : 'n/a');
  const wide = find('wide', 16);
  const chains = find('chains', 4);
  const looks = r.shapes.find((x) => x.shape.startsWith('chains'));
  const span = (xs) => {
    const { min, max } = stats(xs);
    return min === max ? `${+min.toFixed(1)}` : `${+min.toFixed(1)}–${+max.toFixed(1)}`;
  };
  const noiseCost = Math.max(...r.rows.map((x) => median(x.caidNoisy) - median(x.caidExact)));
  // Rows where caid with exact estimates trails the clairvoyant schedule, i.e. where only the handoff is lost.
  const handoff = r.rows.filter((x) => x !== chains && median(x.caidExact) - median(x.oracle) > 0.005).map((x) => `${x.shape.split(' ')[0]} graphs at N = ${x.workers}`);
  const lines = [
    '## 1. Scheduling against the graph\'s limit',
    '',
    `Command: \`${command}\`. ${r.tasks}-task random layered graphs (${r.seeds} seeds per shape), log-normal task durations`,
    '(median 1, σ = 1). Each figure is makespan / max(critical path, total work / N), min / median / max over the seeds;',
    'every column runs the same graphs. caid is the real `schedule()` + `memoryQueue()` + `reduce`; the executor is',
    'simulated on a **virtual clock**: a task\'s handler awaits `sleep(duration)`, and the clock jumps to the next wake-up',
    'only when every promise and immediate has settled, so the figure is exactly the schedule caid\'s decisions produce,',
    'free of timer jitter from this loaded machine; integration merges at once. caid runs three ways: with no estimates',
    '(bottom levels count tasks), with **exact estimates** (each task\'s `estimate` is its true duration), and with',
    '**noisy estimates** (the true duration times log-normal noise, σ = 0.5, seeded: half the guesses within a factor of',
    '1.4, one in twenty off by more than 2.7x), a fairer model of a planner\'s guess. The wall-clock check below runs the',
    'same code with real `setTimeout` sleeps to show what event-loop and bookkeeping overhead adds.',
    '',
    `| graph shape | N | caid, no estimates | caid, exact estimates | caid, noisy estimates | wave barrier | list schedule, caid's priorities | clairvoyant list schedule | target ≤ ${TARGET} (median) |`,
    '|---|---:|---|---|---|---|---|---|---|',
    ...r.rows.map((x) => `| ${x.shape} | ${x.workers} | ${CAID.map((c) => triple(x[c.key], 3)).join(' | ')} | ${triple(x.wave, 3)} | ${triple(x.unitList, 3)} | ${triple(x.oracle, 3)} | ${rowVerdict(x)} |`),
    '',
    `Over all ${r.rows.flatMap((x) => x.caid).length} (graph, N) pairs, against the target ≤ ${TARGET}:`,
    ...CAID.map((c) => {
      const all = r.rows.flatMap((x) => x[c.key]);
      const byMedian = r.rows.filter((x) => median(x[c.key]) > TARGET).length;
      const byMax = r.rows.filter((x) => stats(x[c.key]).max > TARGET).length;
      return `- caid, ${c.name}: ${triple(all, 3)}; ${byMedian} of ${r.rows.length} rows miss by their median, ${byMax} by their worst case.`;
    }),
    `- wave barrier: ${triple(r.rows.flatMap((x) => x.wave), 3)}.`,
    '',
    'Reading the columns: *list schedule, caid\'s priorities* simulates greedy list scheduling exactly, with bottom levels',
    'counted in tasks, where a finished task releases its dependents at that very instant; *clairvoyant* is the same with',
    'bottom levels weighed by the true durations.',
    '',
    'The hard rows are those where the two halves of the bound are equal, so a schedule has no slack on either side (every',
    'worker busy all the time, the critical path never waiting): wide graphs at N = 16',
    `(${bound(wide)}, medians) and chains at N = 4 (${bound(chains)}). They missed (before this change) for different reasons.`,
    '',
    '**Wide graphs at N = 16: durations were unknown.** Counted in tasks, there are only four bottom levels: most',
    'first-layer tasks share the top one and some 80 sinks share the lowest, so caid picks among them by id, and a long',
    'task picked late can end the run alone on one worker while the others idle.',
    `Estimates fix it: ${cite(wide, 'caid')} without, ${cite(wide, 'caidExact')} with exact and ${cite(wide, 'caidNoisy')} with noisy estimates (clairvoyant ${cite(wide, 'oracle')}).`,
    `On every row, noise of σ = 0.5 costs at most ${(Math.max(0, noiseCost) * 100).toFixed(1)} points of the median against exact estimates.`,
    '',
    '**Chains at N = 4: the freed worker.** With fan-in 1 each task hangs off one random task of the layer above, and',
    'the lineages coalesce within a few layers, so a graph is not a bundle of parallel chains but one trunk through all',
    `50 layers (${looks ? span(looks.trunkTasks) : 'n/a'} tasks lie on some longest path, short forks included) with ${looks ? span(looks.branches) : 'n/a'} dead-end side branches`,
    `(median length ${looks ? span(looks.branchLength) : 'n/a'} tasks). Counting tasks already finds the trunk, so estimates matter little here`,
    `(${cite(chains, 'caid')} without, ${cite(chains, 'caidExact')} exact, ${cite(chains, 'caidNoisy')} noisy). What used to be lost (1.083 before this change) was the`,
    'handoff: when a trunk task finished, the queue gave its worker at once to the best side task already waiting, and',
    'the next trunk task, released by the merge moments later, waited for another worker, up to 50 times a run. The',
    'scheduler now keeps a finished task\'s slot through its merge when that merge will make ready a task that outranks',
    'every waiting one (`reserve()` on the queue; `schedule.ts`), so the trunk keeps its worker. The list schedules, which',
    `release dependents at the instant of completion, get ${cite(chains, 'unitList')} and ${cite(chains, 'oracle')}.`,
    'Integration is instantaneous in this simulation, so holding the slot costs nothing here; in a real run the held',
    'worker idles for one merge (and its verify), and only when the task it waits for is more critical than every',
    'waiting one: time the critical path spends on that merge anyway, while the waiting tasks have slack by their',
    `lower bottom level.${handoff.length ? ` caid with exact estimates still trails the clairvoyant column by more than 0.005 on ${handoff.join(' and ')}, within the target.` : ''}`,
  ];
  if (r.wallRows.length) {
    lines.push('', `Wall clock (${r.wall.msPerUnit} ms per duration unit, real timers, same scheduler, no estimates; load average ${r.load.average.toFixed(1)} on ${r.load.cores} cores when it ran, and timers fire late on a busy machine):`, '',
      '| graph shape | N | caid on the wall clock |', '|---|---:|---|',
      ...r.wallRows.map((x) => `| ${x.shape} | ${x.workers} | ${triple(x.ratios, 3)} |`));
  }
  return lines.join('\n');
}

if (isMain(import.meta.url)) {
  const r = await benchSchedule();
  const md = scheduleSection(r, 'node bench/schedule-vs-limit.mjs');
  writeSection('schedule-vs-limit', md, r);
  process.stdout.write(`${md}\n`);
}

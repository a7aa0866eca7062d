#!/usr/bin/env node
// Benchmark 1: the real scheduler against the graph's limit, next to a wave-barrier baseline.
import { bottomLevels, buildGraph } from '@caid/core';
import { layeredGraph, listMakespan, lowerBound, waveMakespan, weightedLevels } from './lib/layered-graph.mjs';
import { simulatedRun } from './lib/simulated-run.mjs';
import { virtualClock } from './lib/virtual-clock.mjs';
import { stats, triple, verdict } from './lib/stats.mjs';
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

export async function benchSchedule({ tasks = 200, seeds = 5, workers = [2, 4, 8, 16], wall = { seeds: 5, workers: [4, 16], msPerUnit: 10 } } = {}) {
  const rows = [];
  for (const shape of SHAPES) {
    for (const n of workers) {
      const caid = [];
      const wave = [];
      const unitList = [];
      const oracle = [];
      for (let seed = 1; seed <= seeds; seed++) {
        const plan = layeredGraph({ tasks, depth: shape.depth, fanIn: shape.fanIn, seed: seed * 7919 + shape.depth });
        const bound = lowerBound(plan, n);
        const levels = bottomLevels(buildGraph({ goal: 'g', tasks: plan.map((t) => ({ ...t, prompt: 'p', files: [] })) }));
        caid.push((await caidMakespan(plan, n)) / bound);
        wave.push(waveMakespan(plan, n, levels) / bound);
        unitList.push(listMakespan(plan, n, levels) / bound);
        oracle.push(listMakespan(plan, n, weightedLevels(plan)) / bound);
      }
      rows.push({ shape: shape.name, workers: n, caid, wave, unitList, oracle });
    }
  }
  const wallRows = [];
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
  return { tasks, seeds, rows, wallRows, wall };
}

export function scheduleSection(r, command) {
  const all = r.rows.flatMap((x) => x.caid);
  const overall = stats(all).median;
  const lines = [
    '## 1. Scheduling against the graph\'s limit',
    '',
    `Command: \`${command}\`. ${r.tasks}-task random layered graphs (${r.seeds} seeds per shape), log-normal task durations`,
    '(median 1, σ = 1). Each figure is makespan / max(critical path, total work / N), min / median / max over the seeds;',
    'caid and the wave-barrier baseline run the same graphs. caid is the real `schedule()` + `memoryQueue()` + `reduce`;',
    'the executor is simulated on a **virtual clock**: a task\'s handler awaits `sleep(duration)`, and the clock jumps to',
    'the next wake-up only when every promise and immediate has settled, so the figure is exactly the schedule caid\'s',
    'decisions produce, free of timer jitter from this loaded machine. The wall-clock check below runs the same code with',
    'real `setTimeout` sleeps to show what event-loop and bookkeeping overhead adds.',
    '',
    '| graph shape | N | caid | wave barrier | list schedule, caid\'s priorities | clairvoyant list schedule | caid target ≤ 1.05 (median) |',
    '|---|---:|---|---|---|---|---|',
    ...r.rows.map((x) => `| ${x.shape} | ${x.workers} | ${triple(x.caid, 3)} | ${triple(x.wave, 3)} | ${triple(x.unitList, 3)} | ${triple(x.oracle, 3)} | ${verdict(stats(x.caid).median <= TARGET)} |`),
    '',
    `Over all ${all.length} (graph, N) pairs: caid ${triple(all, 3)}, wave barrier ${triple(r.rows.flatMap((x) => x.wave), 3)}.`,
    `Target ≤ ${TARGET}: ${verdict(overall <= TARGET)} by the overall median; ${r.rows.filter((x) => stats(x.caid).median > TARGET).length} of ${r.rows.length} rows miss it by their median, ${r.rows.filter((x) => stats(x.caid).max > TARGET).length} by their worst case.`,
    '',
    'Reading the columns: *list schedule, caid\'s priorities* is an exact simulation of greedy list scheduling with the',
    'priorities caid uses (bottom level counted in tasks, since caid cannot know how long an agent will take), where a',
    'finished task releases its dependents at that instant; *clairvoyant* is the same with bottom levels weighted by the',
    'true durations. Where caid misses (wide graphs at N = 16, chains at N = 4), two things add up, neither of them',
    'overhead: (1) **durations are unknown**: the clairvoyant schedule reaches ~1.00 on every graph, the same greedy',
    'schedule with unit priorities does not, because among equal bottom levels it cannot tell the long chain from the',
    'short one; (2) **a freed worker does not wait for the merge**: when an agent finishes, the queue hands its slot at',
    'once to the best task already waiting, while the finished task\'s dependents become ready only after its merge; on a',
    'critical chain that lets a lower-priority task take the slot (the gap between caid and the list-schedule column).',
    'Fixes: (1) an optional size estimate per task (a planner output) fed to `bottomLevels(graph, weight)`, which already',
    'takes a weight; (2) would need a worker to idle through every merge (and verify), a bad trade in real runs where',
    'a merge costs hundreds of ms and verify can cost minutes, so it is deliberately not done. Tie-breaking by the number',
    'of dependents was tried and moved the wide N = 16 median only from 1.23 to 1.19 in the list simulation.',
  ];
  if (r.wallRows.length) {
    lines.push('', `Wall clock (${r.wall.msPerUnit} ms per duration unit, real timers, same scheduler):`, '',
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

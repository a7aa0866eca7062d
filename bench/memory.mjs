#!/usr/bin/env node
// Benchmark 4: peak resident memory of the coordinator (the `caid run` process) with 32 agents in flight.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startScriptedModel } from '@caid/llm/testing';
import { caidRun, makeRepo, scratch } from './lib/caid-cli.mjs';
import { isMain } from './lib/is-main.mjs';
import { writeSection } from './lib/results-file.mjs';
import { LIBRARY_FILES, slowAgentRule } from './lib/slow-agent.mjs';
import { stats, triple, verdict } from './lib/stats.mjs';

export const TARGET_MB = 200;

/** VmHWM (peak resident set) and VmRSS of a live process in MB, or null once it is gone. */
function memoryOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    const hwm = kb('VmHWM') / 1024;
    // An exiting (zombie) process still has a status file, but without memory lines.
    return Number.isFinite(hwm) ? { hwm, rss: kb('VmRSS') / 1024 } : null;
  } catch {
    return null;
  }
}

/** Most requests the model server had open at once (each is answered `delayMs` after it arrives). */
const maxInFlight = (arrivals, delayMs) => {
  const edges = arrivals.flatMap((t) => [[t, 1], [t + delayMs, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (now += d));
  return most;
};

export async function benchMemory({ agents = 32, reps = 5, delayMs = 1000, calls = 4 } = {}) {
  const s = scratch('caid-bench-memory-');
  const rule = slowAgentRule({ delayMs, calls });
  let arrivals = [];
  const model = await startScriptedModel({ rules: [{ ...rule, reply: (c) => { arrivals.push(performance.now()); return rule.reply(c); } }] });
  try {
    const plan = { goal: 'many agents at once', tasks: Array.from({ length: agents }, (_, i) => ({ id: `agent-${i}`, prompt: `Write module ${i}.` })) };
    const runs = [];
    for (let rep = 0; rep < reps; rep++) {
      const repo = makeRepo(path.join(s.dir, `repo-${rep}`), LIBRARY_FILES);
      arrivals = [];
      let last = null;
      let timer;
      await caidRun({
        plan, repo, workers: agents, modelUrl: model.url, worktreeRoot: path.join(s.dir, `wt-${rep}`),
        onSpawn: (pid) => { timer = setInterval(() => { last = memoryOf(pid) ?? last; }, 50); },
      });
      clearInterval(timer);
      runs.push({ peakMb: last?.hwm ?? NaN, inFlight: maxInFlight(arrivals, delayMs) });
    }
    return { agents, reps, delayMs, calls, runs };
  } finally {
    await model.close();
    s.dispose();
  }
}

export function memorySection(r, command) {
  const peak = r.runs.map((x) => x.peakMb);
  return [
    '## 4. Memory',
    '',
    `Command: \`${command}\`. ${r.agents} independent tasks with \`--workers ${r.agents}\` through the real CLI; the scripted model`,
    `answers every call after ${r.delayMs} ms and each agent makes ${r.calls} calls, so all agents are in flight together.`,
    'Peak RSS is the coordinator\'s VmHWM (`/proc/<pid>/status`, sampled every 50 ms until exit): the `caid run` process',
    `that schedules, runs the agents' model conversations and tools, and merges (git children are separate processes). ${r.reps} runs.`,
    '',
    '| figure | min / median / max | target | |',
    '|---|---|---|---|',
    `| peak RSS of the coordinator | ${triple(peak, 1, ' MB')} | ≤ ${TARGET_MB} MB | ${verdict(stats(peak).max <= TARGET_MB)} |`,
    `| model requests in flight at once (check) | ${triple(r.runs.map((x) => x.inFlight), 0)} | ${r.agents} | |`,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const r = await benchMemory();
  const md = memorySection(r, 'node bench/memory.mjs');
  writeSection('memory', md, r);
  process.stdout.write(`${md}\n`);
}

#!/usr/bin/env node
// Per-task dispatch overhead of the BullMQ queue against the in-process queue (issue 5).
// The scheduler drives N independent tasks; the agent is instant (the handler returns at once)
// and integration is a no-op, so the wall time is the queue's own cost: enqueue, hand-over to a
// worker, result back to the coordinator, and the scheduler's bookkeeping around it.
// Usage: node bench/queue-overhead.mjs [--tasks 200] [--concurrency 4] [--repeat 3] [--json]
// Needs `npm run build` and Redis at REDIS_URL (default redis://127.0.0.1:6379).
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { initialState, reduce } from '@caid/core';
import { memoryQueue, oneByOne, schedule } from '@caid/scheduler';
import { bullmqQueue } from '@caid/queue-bullmq';
import { Redis } from 'ioredis';

const { values } = parseArgs({ options: {
  tasks: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '4' },
  repeat: { type: 'string', default: '3' }, json: { type: 'boolean', default: false },
} });
const N = Number(values.tasks);
const C = Number(values.concurrency);
const REPEAT = Number(values.repeat);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const zero = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

function startedState(runId) {
  const tasks = Array.from({ length: N }, (_, i) => ({ id: `t${i}`, prompt: 'p', dependsOn: [], files: [] }));
  return reduce(initialState(), {
    type: 'run.started', at: new Date().toISOString(), runId, goal: 'bench', repo: '/bench', base: 'HEAD', baseCommit: 'b',
    branch: `caid/${runId}/integration`, worktreeRoot: '/w', workers: C, tasks,
  });
}

/** One run of N instant tasks over `coordinator`, with `worker` processing; returns ms. */
async function runOnce(coordinator, worker, runId) {
  worker.process(async (job) => ({ taskId: job.task.id, attempt: job.attempt, status: 'done', commit: 'c', steps: 1, usage: zero }), { concurrency: C });
  let state = startedState(runId);
  const t0 = performance.now();
  const final = await schedule({
    state, queue: coordinator, limits: { conflictRounds: 0, verifyAttempts: 1 },
    emit: async (e) => (state = reduce(state, { ...e, at: '' })),
    makeJob: (taskId, attempt, round) => ({ runId, repo: '/bench', worktreeRoot: '/w', task: state.tasks[taskId], attempt, round }),
    integrate: oneByOne(async (r) => ({ kind: 'merged', commit: 'm', taskCommit: r.commit })),
  });
  const ms = performance.now() - t0;
  if (final.status !== 'succeeded') throw new Error(`bench run ended ${final.status}`);
  return ms;
}

async function dropPrefix(prefix) {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

async function measure(kind) {
  const times = [];
  for (let i = 0; i <= REPEAT; i++) {
    const runId = `bench-${kind}-${i}-${randomBytes(3).toString('hex')}`;
    let ms;
    if (kind === 'memory') {
      const q = memoryQueue();
      ms = await runOnce(q, q, runId);
      await q.close();
    } else {
      // Coordinator and worker are separate instances with their own connections, as across machines.
      const prefix = `caidbench-${randomBytes(4).toString('hex')}`;
      const url = `${REDIS_URL}${REDIS_URL.includes('?') ? '&' : '?'}prefix=${prefix}`;
      const coordinator = bullmqQueue({ url });
      const worker = bullmqQueue({ url });
      ms = await runOnce(coordinator, worker, runId);
      await coordinator.close();
      await worker.close();
      await dropPrefix(prefix);
    }
    if (i > 0) times.push(ms); // the first run warms up the JIT and the connections
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  return { kind, runsMs: times.map((t) => Math.round(t)), medianMs: Math.round(median), perTaskMs: +(median / N).toFixed(3) };
}

const memory = await measure('memory');
const bullmq = await measure('bullmq');
const result = { tasks: N, concurrency: C, repeat: REPEAT, node: process.version, memory, bullmq, ratio: +(bullmq.perTaskMs / memory.perTaskMs).toFixed(1) };
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  process.stdout.write(`${N} instant tasks, ${C} at once, median of ${REPEAT} runs after a warm-up (node ${process.version})\n`);
  process.stdout.write(`memory: ${memory.medianMs} ms total, ${memory.perTaskMs} ms/task (runs ${memory.runsMs.join(', ')})\n`);
  process.stdout.write(`bullmq: ${bullmq.medianMs} ms total, ${bullmq.perTaskMs} ms/task (runs ${bullmq.runsMs.join(', ')})\n`);
  process.stdout.write(`ratio bullmq/memory per task: ${result.ratio}x\n`);
}

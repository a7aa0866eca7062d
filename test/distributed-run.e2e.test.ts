import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
// @ts-expect-error plain .mjs module shared with `npm run demo`
import { createSampleLibrary, PLAN } from '../scripts/demo/sample-library.mjs';
// @ts-expect-error plain .mjs module shared with `npm run demo`
import { demoRules } from '../scripts/demo/demo-model.mjs';
import { git, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { REDIS_URL, redisContents, runEvents, startCli, startWorkers, stop, type Proc } from './distributed-harness.js';
import { dropPrefix, testPrefix } from '../packages/queue-bullmq/src/redis-test-prefix.fixture.js';

// A 10-task graph (the demo's diamond, conflict and verify send-back, plus four independent tasks)
// run by a coordinator and three `caid worker` processes; one worker is killed with SIGKILL while
// it holds a task, and the run still merges every task exactly once.
const SECRET = 'sk-caid-test-SECRET-7391';
const EXTRA = ['pad', 'repeat', 'count', 'slow-one'];
let model: ScriptedModelServer;
let repo: string;
let prefix: string;
let summary: { runId: string; status: string; branch: string; commit: string; tasks: { id: string; status: string; attempts: number; conflicts: number }[] };
let coordinator: Awaited<Proc['exited']>;
const workers: Proc[] = [];
let killed: Proc;
let slowCalls = 0;

beforeAll(async () => {
  const dir = tempDir();
  ({ repo } = createSampleLibrary(dir));
  const planFile = path.join(dir, 'plan-10.json');
  writeFileSync(planFile, JSON.stringify({
    ...PLAN,
    // Each worker logs where setup ran, outside the task worktree (so it is never committed).
    setup: 'echo "$CAID_TASK_ID" >> "$CAID_WORKTREE/../../../../setup.log"',
    tasks: [...PLAN.tasks, ...EXTRA.map((id) => ({ id, prompt: `Create src/${id}.js exporting ${id}.`, files: [`src/${id}.js`] }))],
  }));
  const extraRules = EXTRA.map((id) => ({
    name: id,
    when: (c: Parameters<typeof taskOf>[0]) => taskOf(c) === id,
    reply: (c: Parameters<typeof taskOf>[0]) => {
      const reply = writesFiles({ [`src/${id}.js`]: `export const ${id.replace('-', '_')} = 1;\n` })(c);
      // The first time slow-one asks, the model "thinks" for minutes: its worker is killed meanwhile.
      if (id === 'slow-one' && c.stepInRound === 0 && slowCalls++ === 0) return { ...reply, delayMs: 300_000 };
      return reply;
    },
  }));
  model = await startScriptedModel({ rules: [...extraRules, ...demoRules()] });
  prefix = testPrefix();
  const queue = `${REDIS_URL}?prefix=${prefix}`;
  await startWorkers(3, { queue, dir, modelUrl: model.url, args: ['--stall-timeout', '3'], env: { OPENAI_API_KEY: SECRET, CAID_LOG_LEVEL: 'debug' }, into: workers });
  // The coordinator has no model and no key: it runs from a plan.
  const run = startCli(['run', '--plan', planFile, '--repo', repo, '--queue', queue, '--worktree-root', path.join(dir, 'worktrees'), '--json']);
  // Kill the worker holding slow-one once its agent is waiting on the model: truly mid-task.
  killed = await Promise.race(workers.map((w) => w.waitFor(/"taskId":"slow-one"[^\n]*"msg":"job received: task started"/).then(() => w)));
  while (slowCalls === 0) await new Promise((r) => setTimeout(r, 20));
  await stop(killed, 'SIGKILL');
  coordinator = await run.exited;
  summary = JSON.parse(coordinator.stdout);
}, 240_000);

afterAll(async () => {
  for (const w of workers) await stop(w, 'SIGKILL');
  await model?.close();
  await dropPrefix(prefix);
  removeTemps();
});

describe('a distributed run: coordinator + 3 `caid worker` processes on BullMQ', () => {
  it('merges all 10 tasks although a worker was killed mid-task', () => {
    expect(coordinator.code, coordinator.stderr).toBe(0);
    expect(summary.status).toBe('succeeded');
    expect(summary.tasks).toHaveLength(10);
    expect(summary.tasks.every((t) => t.status === 'merged')).toBe(true);
    expect(killed.child.signalCode).toBe('SIGKILL');
  });

  it('merged every task exactly once, in an order consistent with the graph', () => {
    const events = runEvents(repo, summary.runId);
    const merged = events.filter((e) => e.type === 'task.merged').map((e) => e.taskId!);
    expect([...merged].sort()).toEqual(summary.tasks.map((t) => t.id).sort());
    const subjects = git(repo, 'log', '--first-parent', '--format=%s', summary.branch).split('\n');
    for (const t of summary.tasks) expect(subjects.filter((s) => s.startsWith(`caid: merge task ${t.id} `) || s === `caid: merge task ${t.id}`)).toHaveLength(1);
    expect(merged.indexOf('words')).toBeLessThan(merged.indexOf('slugify'));
    expect(merged.indexOf('slugify')).toBeLessThan(merged.indexOf('headline'));
  });

  it('reran the killed task on another worker from the same base, leaving nothing of the first attempt', () => {
    const events = runEvents(repo, summary.runId);
    const slow = events.filter((e) => e.taskId === 'slow-one');
    expect(slow.filter((e) => e.type === 'task.queued')).toHaveLength(1);
    expect(slow.filter((e) => e.type === 'task.started').length).toBeGreaterThanOrEqual(2);
    expect(slowCalls).toBeGreaterThanOrEqual(2);
    const others = workers.filter((w) => w !== killed).map((w) => w.output()).join('\n');
    const finished = others.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.msg === 'task finished');
    expect(finished).toContainEqual(expect.objectContaining({ taskId: 'slow-one', attempt: 1, round: 'start', status: 'done' }));
    expect(git(repo, 'show', `${summary.branch}:src/slow-one.js`)).toContain('slow_one');
  });

  it('carried the conversation across workers: conflict round and verify send-back continue the same dialogue', () => {
    const conflicted = summary.tasks.find((t) => t.conflicts > 0)!;
    expect(['slugify', 'title-case']).toContain(conflicted.id);
    const transcript = readFileSync(path.join(repo, `.caid/runs/${summary.runId}/tasks/${conflicted.id}.jsonl`), 'utf8');
    expect(transcript).toContain('merge conflict');
    const lines = readFileSync(path.join(repo, `.caid/runs/${summary.runId}/tasks/truncate.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const users = lines.filter((r) => r.t === 'message' && r.message.role === 'user').map((r) => r.message.content as string);
    expect(users).toHaveLength(2);
    expect(users[0]).toContain(PLAN.tasks.find((t: { id: string }) => t.id === 'truncate').prompt);
    expect(users[1]).toMatch(/verify command/);
    expect(lines.filter((r) => r.t === 'round').map((r) => r.round)).toEqual(['start', 'verify-failed']);
    // the model saw the whole conversation in the send-back round, not just the new message
    const fix = model.requests.find((r) => r.rule === 'fix-after-verify')!;
    expect(fix.conversation.firstUser).toContain('# Task truncate');
  });

  it('brought agent progress back into the run log and `caid status`', async () => {
    const steps = runEvents(repo, summary.runId).filter((e) => e.type === 'task.step');
    expect(new Set(steps.map((e) => e.taskId)).size).toBe(10);
    expect(steps.every((e) => (e.usage as { inputTokens: number }).inputTokens > 0)).toBe(true);
    const status = JSON.parse((await runCli(['status', summary.runId, '--repo', repo, '--json'])).stdout);
    expect(status.tasks.every((t: { step: number; usage: { inputTokens: number } }) => t.step > 0 && t.usage.inputTokens > 0)).toBe(true);
  });

  it('ran setup in every worktree a worker made, follow-up rounds included, and left no worktrees behind', () => {
    const survivors = workers.filter((w) => w !== killed);
    const setups = workers.flatMap((_, i) => {
      const log = path.join(path.dirname(repo), `worker-${i + 1}`, 'setup.log');
      return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    });
    for (const t of summary.tasks) expect(setups.filter((s) => s === t.id).length, t.id).toBeGreaterThanOrEqual(t.attempts);
    for (const w of survivors) {
      const n = workers.indexOf(w) + 1;
      const clones = path.join(path.dirname(repo), `worker-${n}`, 'clones');
      for (const c of existsSync(clones) ? readdirSync(clones) : []) {
        expect(git(path.join(clones, c), 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
      }
    }
  });

  it('kept the model key with the workers: it reached the model, never Redis, the log or the coordinator', async () => {
    expect(model.requests.every((r) => r.authorization === `Bearer ${SECRET}`)).toBe(true);
    const stored = await redisContents(REDIS_URL, prefix);
    // the job data is there to inspect (it names the remote and the base commit) and holds no key
    expect(stored.filter((s) => s.text.includes('remote') && s.text.includes(repo) && s.text.includes('base')).length).toBeGreaterThanOrEqual(10);
    expect(stored.filter((s) => s.text.includes(SECRET))).toEqual([]);
    const runDir = path.join(repo, `.caid/runs/${summary.runId}`);
    expect(readFileSync(path.join(runDir, 'events.jsonl'), 'utf8')).not.toContain(SECRET);
    for (const t of summary.tasks) expect(readFileSync(path.join(runDir, 'tasks', `${t.id}.jsonl`), 'utf8')).not.toContain(SECRET);
    expect(coordinator.stderr).not.toContain(SECRET);
  });

  it('logged JSON lines on each worker (not a terminal): level, msg, the job\'s run and task, and never the key', () => {
    for (const w of workers) {
      const lines = w.output().split('\n').filter((l) => l.trim());
      expect(lines.length).toBeGreaterThan(1);
      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(records.every((r) => typeof r.level === 'number' && typeof r.msg === 'string' && r.app === 'caid-worker')).toBe(true);
      for (const r of records.filter((x) => x.msg === 'job received: task started')) expect(r).toMatchObject({ runId: summary.runId, taskId: expect.any(String) });
      expect(w.output()).not.toContain(SECRET);
    }
    const finished = workers.flatMap((w) => w.output().split('\n')).filter((l) => l.includes('"msg":"task finished"'));
    expect(finished.length).toBeGreaterThanOrEqual(10);
  });
});

import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { PlanSchema, RunSettingsSchema, type RunEvent, type RunSettings } from '@caid/core';
import { loadRunState, readEvents, resumeRun, runPlan } from '@caid/orchestrator';
import { budgetWatch, runtimeSettings } from '../apps/cli/src/runtime-settings.js';
import { localQueue } from '../apps/cli/src/local-queue.js';
import { driveSettings } from '../apps/cli/src/drive-settings.js';
import { resumeCommand } from '../apps/cli/src/resume-command.js';
import { makeRepo, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// Issue 16, point 7: the middle tier. `runPlan` in-process with the memory queue and the scripted
// model, interrupted through its signal, then the CLI's own resume path (`resumeCommand`, no
// flags) in-process: every kind of setting must come back from the log, in seconds.
const model = scriptedModelForFile([
  // Every round writes bad.txt, which verify refuses.
  { when: (c) => taskOf(c) === 'bad', reply: (c) => ({ ...writesFiles({ 'bad.txt': `attempt ${c.stepInRound} ${Date.now()}\n` })(c), delayMs: 50 }) },
  { when: (c) => taskOf(c) === 'ok', reply: writesFiles({ 'ok.txt': 'ok\n' }) },
  // As 'bad', each reply costing 1,000 tokens, for the budget.
  { when: (c) => taskOf(c) === 'costly', reply: (c) => ({ ...writesFiles({ 'bad.txt': `attempt ${c.stepInRound} ${Date.now()}\n` })(c), usage: { prompt_tokens: 900, completion_tokens: 100 }, delayMs: 50 }) },
]);

const PLAN = PlanSchema.parse({
  goal: 'g',
  verify: 'test ! -e bad.txt',
  tasks: [{ id: 'bad', prompt: 'write bad.txt' }, { id: 'ok', prompt: 'write ok.txt', dependsOn: ['bad'] }],
});

/** A non-default value for every kind of setting (models by reference, never a key). */
function nonDefaults(dir: string, url: string): RunSettings {
  return RunSettingsSchema.parse({
    workers: 2,
    limits: { maxSteps: 6, taskTimeoutMin: 4, taskTokens: 900_000, conflictRounds: 1, verifyAttempts: 3, verifyTimeoutMin: 2 },
    budget: { usd: 50, tokens: 5_000_000 },
    gate: 'all',
    verifyReport: 'reports/junit.xml',
    setup: 'touch .setup-ran',
    setupTimeoutMin: 3,
    include: ['.env.local'],
    share: [{ path: 'deps', mode: 'symlink' }],
    sandbox: 'bwrap',
    worktreeRoot: path.join(dir, 'wt'),
    queue: 'memory',
    planner: { replan: false, maxReplans: 1, scaffold: false, review: false, maxTasks: 5, maxRepairs: 1 },
    mergeQueue: { batchMax: 1, verifyConcurrency: 1, conflictWarnings: 0 },
    models: {
      worker: { model: 'scripted-m', baseURL: url, apiKeyEnv: 'CAID_TEST_KEY', maxConcurrentRequests: 2 },
      resolver: { model: 'scripted-r', baseURL: url, apiKeyEnv: 'CAID_TEST_KEY' },
    },
  });
}

async function interruptedRun(): Promise<{ repo: string; runId: string; settings: RunSettings }> {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n', '.gitignore': '.env.local\ndeps/\n', 'deps/lib.txt': 'x\n' });
  writeFileSync(path.join(repo, '.env.local'), 'A=1\n');
  const settings = nonDefaults(dir, model.server.url);
  process.env.CAID_TEST_KEY = 'sk-test-not-a-real-key';
  const runtime = runtimeSettings(settings, {}, process.env);
  const stop = new AbortController();
  const onEvent = (e: RunEvent) => { if (e.type === 'task.verify-failed') stop.abort(); };
  const final = await runPlan({
    plan: PLAN, repoDir: repo, workers: settings.workers, verify: settings.verify, worktreeRoot: settings.worktreeRoot, setup: settings.setup, settings,
    queue: localQueue(runtime, budgetWatch(runtime.budget), settings.workers), signal: stop.signal, ...driveSettings(settings), secrets: runtime.secrets, onEvent,
  });
  expect(final.status).toBe('cancelled');
  return { repo, runId: final.runId, settings };
}

const quietly = async <T>(f: () => Promise<T>): Promise<T> => {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try { return await f(); } finally { out.mockRestore(); err.mockRestore(); }
};

describe('resume keeps every kind of setting (in-process)', () => {
  it('run.started records them as given; resume with no flags continues with exactly those and honours them', async () => {
    const { repo, runId, settings } = await interruptedRun();
    const recorded = loadRunState(repo, runId).settings;
    // Every setting as given; the worktree root as its real path, the verify (the plan's), gate and report as the run uses them.
    expect(recorded).toEqual({ ...settings, verify: PLAN.verify, worktreeRoot: realpathSync(settings.worktreeRoot!) });
    // The interrupt is no outcome: the cancelled task shows as in flight, not failed.
    expect(loadRunState(repo, runId).tasks.bad!.status).not.toBe('failed');

    const requestsBefore = model.server.requests.length;
    const code = await quietly(() => resumeCommand(runId, { given: {}, repo, quiet: true }));
    expect(code).toBe(1);
    const log = readEvents(path.join(repo, '.caid', 'runs', runId, 'events.jsonl'));
    const resumed = log.find((e) => e.type === 'run.resumed') as Extract<RunEvent, { type: 'run.resumed' }>;
    expect(resumed.changed).toEqual([]);
    expect(resumed.settings).toEqual(recorded);
    const state = loadRunState(repo, runId);
    expect(state.settings).toEqual(recorded);

    // limits.verifyAttempts 3: three failed verifies over both sessions, then the task fails (and its dependant is skipped).
    expect(log.filter((e) => e.type === 'task.verify-failed')).toHaveLength(3);
    expect(state.tasks.bad!.status).toBe('failed');
    expect(state.tasks.ok!.status).toBe('skipped');
    // gate 'all' and the report path came back (the resumed gate is the recorded one).
    expect(state.gate?.mode).toBe('all');
    // models: the resumed agents asked the recorded worker model at the recorded URL (no --model, no --base-url).
    const after = model.server.requests.slice(requestsBefore);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after.map((r) => r.conversation.model))).toEqual(new Set(['scripted-m']));
    // The key, given by name only, was sent and never written to the log.
    expect(after.every((r) => r.authorization === 'Bearer sk-test-not-a-real-key')).toBe(true);
    expect(JSON.stringify(log)).not.toContain('sk-test-not-a-real-key');
    // limits.maxSteps 6: no round took more model calls.
    for (const e of log) if (e.type === 'task.finished') expect(e.steps).toBeLessThanOrEqual(6);
    // setup / include / share: the task's worktree (kept across the interrupt) was prepared as recorded.
    const wt = path.join(recorded!.worktreeRoot!, runId, 'bad');
    expect(existsSync(path.join(wt, '.setup-ran'))).toBe(true);
    expect(existsSync(path.join(wt, '.env.local'))).toBe(true);
    expect(existsSync(path.join(wt, 'deps', 'lib.txt'))).toBe(true);
  }, 60_000);

  it('the recorded token budget still stops the resumed run, counting what the first session used', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    // Two replies a round (write, finish) = 2,000 tokens a round; the budget allows about three rounds of ten.
    const settings = RunSettingsSchema.parse({
      limits: { verifyAttempts: 10 }, budget: { tokens: 5_000 }, worktreeRoot: path.join(dir, 'wt'),
      models: { worker: { model: 'scripted-m', baseURL: model.server.url, apiKeyEnv: 'CAID_TEST_KEY' } },
    });
    const runtime = runtimeSettings(settings, {}, process.env);
    const stop = new AbortController();
    const plan = PlanSchema.parse({ goal: 'g', verify: 'test ! -e bad.txt', tasks: [{ id: 'costly', prompt: 'write bad.txt' }] });
    const budget = budgetWatch(runtime.budget);
    const first = await runPlan({
      plan, repoDir: repo, workers: 1, worktreeRoot: settings.worktreeRoot, settings, queue: localQueue(runtime, budget, 1), signal: stop.signal,
      ...driveSettings(settings), shouldStop: budget.shouldStop, onEvent: (e) => { if (e.type === 'task.verify-failed') stop.abort(); },
    });
    expect(first.status).toBe('cancelled');
    const usedBefore = first.usage.inputTokens + first.usage.outputTokens;
    expect(usedBefore).toBeLessThan(5_000);

    const code = await quietly(() => resumeCommand(first.runId, { given: {}, repo, quiet: true }));
    expect(code).toBe(1);
    const state = loadRunState(repo, first.runId);
    expect(state.reason).toBe('budget');
    const log = readEvents(path.join(repo, '.caid', 'runs', first.runId, 'events.jsonl'));
    // Stopped by the budget long before the ten verify attempts the task had.
    expect(log.filter((e) => e.type === 'task.verify-failed').length).toBeLessThan(5);
  }, 60_000);

  it('a flag given to resume overrides its setting only, and the change is logged', async () => {
    const { repo, runId } = await interruptedRun();
    const recorded = loadRunState(repo, runId).settings!;
    const code = await quietly(() => resumeCommand(runId, { given: { limits: { verifyAttempts: 1 }, mergeQueue: { batchMax: 4 } }, repo, quiet: true }));
    expect(code).toBe(1);
    const log = readEvents(path.join(repo, '.caid', 'runs', runId, 'events.jsonl'));
    const resumed = log.find((e) => e.type === 'run.resumed') as Extract<RunEvent, { type: 'run.resumed' }>;
    expect(resumed.changed.sort()).toEqual(['limits.verifyAttempts', 'mergeQueue.batchMax']);
    expect(resumed.settings).toEqual({ ...recorded, limits: { ...recorded.limits, verifyAttempts: 1 }, mergeQueue: { ...recorded.mergeQueue, batchMax: 4 } });
    // verifyAttempts 1: the failure before the interrupt already used it up, so no verify runs again.
    expect(log.filter((e) => e.type === 'task.verify-failed')).toHaveLength(1);
  }, 60_000);
});

const eventsFile = (repo: string, runId: string) => path.join(repo, '.caid', 'runs', runId, 'events.jsonl');

/** Rewrites the log's run.started line as an older caid wrote it. */
function rewriteStarted(repo: string, runId: string, edit: (e: Record<string, unknown>) => void): void {
  const lines = readFileSync(eventsFile(repo, runId), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  edit(lines.find((e) => e.type === 'run.started')!);
  writeFileSync(eventsFile(repo, runId), `${lines.map((e) => JSON.stringify(e)).join('\n')}\n`);
}

describe('the recorded settings are what a run and a resume drive with (issue 16)', () => {
  it('resumeRun handed other settings drives with them, not with run.started\'s own fields', async () => {
    const { repo, runId } = await interruptedRun();
    const recorded = loadRunState(repo, runId).settings!;
    const settings = { ...recorded, verify: 'true' };
    const runtime = runtimeSettings(settings, {}, process.env);
    const final = await resumeRun({
      repoDir: repo, runId, settings, changed: ['verify'], ...driveSettings(settings), secrets: runtime.secrets,
      queue: localQueue(runtime, budgetWatch(runtime.budget), settings.workers),
    });
    // The old verify (test ! -e bad.txt) refused bad.txt; the one the settings name passes it.
    expect(final.tasks.bad!.status).toBe('merged');
    expect(final.tasks.ok!.status).toBe('merged');
    expect(readEvents(eventsFile(repo, runId)).filter((e) => e.type === 'task.verify-failed')).toHaveLength(1);
  }, 60_000);

  it('a log with no settings (before caid recorded them) resumes with run.started\'s verify and worktree root', async () => {
    const { repo, runId } = await interruptedRun();
    const root = loadRunState(repo, runId).worktreeRoot;
    rewriteStarted(repo, runId, (e) => { delete e.settings; });
    expect(loadRunState(repo, runId).settings).toBeUndefined();
    // Such a log names no model: resume is given one, as it was then.
    const given = { models: { worker: { model: 'scripted-m', baseURL: model.server.url, apiKeyEnv: 'CAID_TEST_KEY' } } };
    expect(await quietly(() => resumeCommand(runId, { given, repo, quiet: true }))).toBe(1);
    const state = loadRunState(repo, runId);
    // Still gated by the plan's verify: refused again (default attempts 2), so bad fails and ok is skipped.
    expect(state.tasks.bad!.status).toBe('failed');
    expect(state.tasks.ok!.status).toBe('skipped');
    expect(readEvents(eventsFile(repo, runId)).filter((e) => e.type === 'task.verify-failed')).toHaveLength(2);
    // The resume recorded what it ran with, taken from the log.
    expect(state.settings).toMatchObject({ verify: PLAN.verify, worktreeRoot: root });
  }, 60_000);

  it('settings recorded without the plan\'s verify and setup (as caid did before) read them from run.started', async () => {
    const { repo, runId } = await interruptedRun();
    rewriteStarted(repo, runId, (e) => {
      const s = e.settings as Record<string, unknown>;
      delete s.verify;
      s.setup = 'touch .config-setup';
      e.setup = 'touch .setup-ran';
    });
    expect(loadRunState(repo, runId).settings).toMatchObject({ verify: PLAN.verify, setup: 'touch .setup-ran' });
    expect(await quietly(() => resumeCommand(runId, { given: {}, repo, quiet: true }))).toBe(1);
    // verifyAttempts 3 as recorded, against the plan's verify.
    expect(readEvents(eventsFile(repo, runId)).filter((e) => e.type === 'task.verify-failed')).toHaveLength(3);
    expect(loadRunState(repo, runId).tasks.bad!.status).toBe('failed');
  }, 60_000);

  it('a resume cannot move the run\'s worktrees: exit before anything is written', async () => {
    const { repo, runId } = await interruptedRun();
    const recorded = loadRunState(repo, runId).settings!;
    const before = readFileSync(eventsFile(repo, runId), 'utf8');
    const settings = { ...recorded, worktreeRoot: path.join(path.dirname(recorded.worktreeRoot!), 'elsewhere') };
    const runtime = runtimeSettings(settings, {}, process.env);
    await expect(resumeRun({ repoDir: repo, runId, settings, queue: localQueue(runtime, budgetWatch(runtime.budget), 1) })).rejects.toThrow(/keeps its worktrees under/);
    expect(readFileSync(eventsFile(repo, runId), 'utf8')).toBe(before);
  }, 60_000);
});

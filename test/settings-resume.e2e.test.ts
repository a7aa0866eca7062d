import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

// Issue 16: a run's settings live in its log, so `caid resume <id>` needs no flags, even after Ctrl-C.
let model: ScriptedModelServer;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      // Each round writes bad.txt, which the plan's verify refuses: every attempt fails verify.
      // A sent-back round answers slowly, so a test that stops the run after the first failed verify
      // always finds it live (at 100 ms the two other attempts could end the run first on a loaded machine).
      { when: (c) => taskOf(c) === 'always-bad', reply: (c) => ({ ...writesFiles({ 'bad.txt': `attempt ${c.stepInRound} ${Date.now()}\n` })(c), delayMs: /verify/.test(c.lastUser) ? 1500 : 100 }) },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

const events = (repo: string, runId: string) => readFileSync(path.join(repo, '.caid', 'runs', runId, 'events.jsonl'), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });

function onlyRun(repo: string): string | undefined {
  const runs = path.join(repo, '.caid', 'runs');
  return existsSync(runs) ? readdirSync(runs)[0] : undefined;
}

/**
 * `caid run` of the one-task plan whose task always fails verify, with `flags`, on a fresh
 * repository; resolves once an event of type `until` is in the run's log (not at a fixed time: a
 * loaded machine is slow), with the run still live and its pid.
 */
async function runUntil(flags: string[], until: string) {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
  const plan = path.join(dir, 'plan.yaml');
  writeFileSync(plan, 'goal: g\nverify: test ! -e bad.txt\ntasks:\n  - { id: always-bad, prompt: write bad.txt }\n');
  let pid = 0;
  const first = runCli(['run', '--plan', plan, '--repo', repo, '--model', 'scripted-m', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'),
    ...flags, '--json'], { onSpawn: (p) => { pid = p; } });
  const reached = () => {
    const id = onlyRun(repo);
    return Boolean(id && existsSync(path.join(repo, '.caid', 'runs', id, 'events.jsonl')) && events(repo, id).some((e) => e.type === until));
  };
  for (let i = 0; i < 1200 && !reached(); i++) await new Promise((r) => setTimeout(r, 50));
  return { repo, first, pid };
}

describe('caid resume with the settings the run recorded', () => {
  it('Ctrl-C after the first failed verify, then `caid resume <id>` with no flags, keeps --verify-attempts 3 and the model', async () => {
    const { repo, first, pid } = await runUntil(['--verify-attempts', '3', '--max-steps', '7', '--batch-max', '2'], 'task.verify-failed');
    process.kill(pid, 'SIGINT');
    const r1 = await first;
    expect(r1.code, r1.stderr).toBe(130);
    const runId = JSON.parse(r1.stdout).runId as string;

    const started = events(repo, runId).find((e) => e.type === 'run.started') as unknown as { settings: { limits: { verifyAttempts: number; maxSteps: number }; mergeQueue: { batchMax: number }; models: { worker: { model: string; baseURL: string } } } };
    expect(started.settings.limits).toMatchObject({ verifyAttempts: 3, maxSteps: 7 });
    expect(started.settings.mergeQueue.batchMax).toBe(2);
    expect(started.settings.models.worker).toMatchObject({ model: 'scripted-m', baseURL: model.url });
    // A cancelled run's table says its task was interrupted, not running.
    const status = await runCli(['status', runId, '--repo', repo]);
    expect(status.stdout).toMatch(/always-bad\s+interrupted/);
    // So does --json (it said running), and it carries the recorded settings.
    const json = JSON.parse((await runCli(['status', runId, '--repo', repo, '--json'])).stdout);
    expect(json.tasks[0]).toMatchObject({ id: 'always-bad', status: 'interrupted' });
    expect(json.settings.limits.verifyAttempts).toBe(3);
    // --settings prints them, the non-defaults marked.
    expect((await runCli(['status', runId, '--repo', repo, '--settings'])).stdout).toMatch(/\* limits\.verifyAttempts\s+3/);

    // No --model, no --base-url, no limits: all from the log.
    const r2 = await runCli(['resume', runId, '--repo', repo, '--json']);
    expect(r2.code, r2.stderr).toBe(1);
    expect(JSON.parse(r2.stdout).tasks[0]).toMatchObject({ id: 'always-bad', status: 'failed' });
    const log = events(repo, runId);
    const story = JSON.stringify(log.filter((e) => e.type !== 'task.step').map((e) => [e.type, e.taskId, e.attempt, e.status, e.reason]));
    expect(log.filter((e) => e.type === 'task.verify-failed'), story).toHaveLength(3);
    expect(log.find((e) => e.type === 'run.resumed')).toMatchObject({ changed: [] });
    // The interrupt was not recorded as a gate refusal of a passing tree, nor as a task outcome.
    expect(log.filter((e) => e.type === 'task.failed')).toHaveLength(1);
  }, 90_000);

  it('a flag given to resume overrides the recorded setting and the change is logged', async () => {
    const { repo, first, pid } = await runUntil([], 'task.started');
    process.kill(pid, 'SIGTERM');
    const r1 = await first;
    expect(r1.code, r1.stderr).toBe(130);
    const runId = JSON.parse(r1.stdout).runId as string;
    const r2 = await runCli(['resume', runId, '--repo', repo, '--verify-attempts', '1', '--json']);
    expect(r2.code, r2.stderr).toBe(1);
    const log = events(repo, runId);
    expect(log.find((e) => e.type === 'run.resumed')).toMatchObject({ changed: ['limits.verifyAttempts'], settings: { limits: { verifyAttempts: 1 } } });
    expect(log.filter((e) => e.type === 'task.verify-failed')).toHaveLength(1);
  }, 90_000);

  it('`caid abort` of a live run, then `caid resume <id>` with no flags, finishes it with the recorded settings', async () => {
    const { repo, first } = await runUntil(['--verify-attempts', '4'], 'task.verify-failed');
    const runId = onlyRun(repo)!;
    const abort = await runCli(['abort', runId, '--repo', repo]);
    expect(abort.code, abort.stderr).toBe(0);
    const r1 = await first;
    expect(r1.code, r1.stderr).toBe(130);
    const json = JSON.parse((await runCli(['status', runId, '--repo', repo, '--json'])).stdout);
    expect(json.status).toBe('cancelled');
    expect(json.tasks[0].status).toBe('interrupted');

    const r2 = await runCli(['resume', runId, '--repo', repo, '--json']);
    expect(r2.code, r2.stderr).toBe(1);
    const log = events(repo, runId);
    // verifyAttempts 4 from the log, counting the failures before the abort.
    expect(log.filter((e) => e.type === 'task.verify-failed')).toHaveLength(4);
    expect(log.find((e) => e.type === 'run.resumed')).toMatchObject({ changed: [] });
  }, 90_000);

  it('a verify that refuses good work is fixed on resume: `caid resume <id> --verify CMD` gates with the new command (newuser2)', async () => {
    const { repo, first, pid } = await runUntil(['--verify-attempts', '5'], 'task.verify-failed');
    process.kill(pid, 'SIGINT');
    const r1 = await first;
    expect(r1.code, r1.stderr).toBe(130);
    const runId = JSON.parse(r1.stdout).runId as string;

    // Before: "error: unknown option '--verify'" (exit 2), and the run could only fail its attempts.
    const r2 = await runCli(['resume', runId, '--repo', repo, '--verify', 'test -e bad.txt', '--json']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(JSON.parse(r2.stdout).tasks[0]).toMatchObject({ id: 'always-bad', status: 'merged' });
    expect(r2.stderr).toMatch(/resuming run \S+ \(changed: verify\)/);
    // The gate line tells about the new verify (it fails on the base), not the old one's reason.
    expect(r2.stderr).toMatch(/gate: all \(--gate all \(verify fails on the base\)\)/);
    expect(r2.stderr).not.toContain('verify passes on the base');
    expect(events(repo, runId).find((e) => e.type === 'run.resumed')).toMatchObject({ changed: ['verify'], settings: { verify: 'test -e bad.txt' } });
    // caid logs replays both sessions and says where the resume began, and what it changed.
    expect((await runCli(['logs', runId, '--repo', repo])).stdout).toMatch(/run cancelled[^\n]*\n\d\d:\d\d:\d\d run resumed \(changed: verify\)\n[\s\S]*run succeeded/);
    // The gate's mode is the run's, chosen at its start: resume does not take --gate.
    expect((await runCli(['resume', runId, '--repo', repo, '--gate', 'all'])).stderr).toMatch(/unknown option '--gate'/);
  }, 90_000);
});

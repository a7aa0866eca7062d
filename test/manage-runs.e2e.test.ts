import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { RunLock } from '@caid/orchestrator';
import { call, git, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { spawnCli } from './spawn-cli.js';
import { launchChromium } from './browser.js';

let model: ScriptedModelServer;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      { when: (c) => taskOf(c) === 'slow', reply: { ...call('list_files', {}), delayMs: 300 } },
      { when: (c) => taskOf(c) === 'always-bad', reply: writesFiles({ 'bad.txt': 'bad\n' }) },
      { when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c) },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

const planFile = (dir: string, yaml: string) => {
  const f = path.join(dir, `plan-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, yaml);
  return f;
};
const runArgs = (repo: string, plan: string, wt: string, extra: string[] = []) => ['run', '--plan', plan, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', wt, '--json', ...extra];

describe('managing runs', () => {
  let dir: string;
  let repo: string;
  let wt: string;
  let good: { runId: string; branch: string; commit: string };
  let bad: { runId: string; branch: string };
  beforeAll(async () => {
    dir = tempDir();
    repo = makeRepo(path.join(dir, 'repo'), { 'a.txt': 'a\n' });
    wt = path.join(dir, 'wt');
    good = JSON.parse((await runCli(runArgs(repo, planFile(dir, 'goal: good\ntasks:\n  - { id: one, prompt: p }\n  - { id: two, prompt: p }\n'), wt))).stdout);
    bad = JSON.parse((await runCli(runArgs(repo, planFile(dir, 'goal: bad\nverify: test ! -e bad.txt\ntasks:\n  - { id: fine, prompt: p }\n  - { id: always-bad, prompt: p }\n'), wt, ['--workers', '1']))).stdout);
  }, 120_000);

  it('caid runs lists every run with its status', async () => {
    const r = await runCli(['runs', '--repo', repo, '--json']);
    const runs = JSON.parse(r.stdout);
    expect(runs.map((x: { runId: string; status: string; merged: number; total: number }) => [x.runId, x.status, x.merged, x.total])).toEqual([
      [good.runId, 'succeeded', 2, 2], [bad.runId, 'failed', 1, 2],
    ]);
    expect((await runCli(['runs', '--repo', repo])).stdout).toMatch(new RegExp(`${good.runId}\\s+succeeded\\s+2/2 merged`));
  });

  it('caid clean prints its plan, removes only with --yes, and keeps unmerged work and the unmerged result', async () => {
    const failedWt = path.join(wt, bad.runId, 'always-bad');
    expect(existsSync(failedWt)).toBe(true);
    writeFileSync(path.join(failedWt, 'scratch.txt'), 'uncommitted notes');
    const dry = await runCli(['clean', '--all', '--repo', repo]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would remove  branch caid/${good.runId}/tasks/one  (all its commits are on the integration branch)`);
    expect(dry.stdout).toContain(`keep  branch caid/${good.runId}/integration  (the run's result is on no other branch: land it first (caid land ${good.runId}))`);
    expect(dry.stdout).toContain(`keep  branch caid/${bad.runId}/tasks/always-bad  (it holds commits that are not on the integration branch)`);
    expect(dry.stdout).toContain(`keep  worktree ${failedWt}  (uncommitted changes)`);
    expect(dry.stdout).toContain('dry run: pass --yes');
    expect(git(repo, 'branch', '--list', `caid/${good.runId}/tasks/one`)).not.toBe('');

    const real = await runCli(['clean', '--all', '--yes', '--repo', repo]);
    expect(real.code).toBe(0);
    expect(git(repo, 'branch', '--list', `caid/${good.runId}/tasks/*`)).toBe('');
    expect(git(repo, 'rev-parse', good.branch)).toBe(good.commit);
    expect(git(repo, 'branch', '--list', `caid/${bad.runId}/tasks/always-bad`)).not.toBe('');
    expect(existsSync(path.join(failedWt, 'scratch.txt'))).toBe(true);

    // once the user has merged the result, the integration branch may go too
    git(repo, '-c', 'user.name=u', '-c', 'user.email=u@x', 'merge', '-q', '--no-edit', good.branch);
    await runCli(['clean', good.runId, '--yes', '--repo', repo]);
    expect(git(repo, 'branch', '--list', good.branch)).toBe('');
    // status no longer shows the removed branch as if it were there
    expect((await runCli(['status', good.runId, '--repo', repo])).stdout).toContain(`note: ${good.branch} no longer exists (removed by caid clean, or by hand)`);
    expect((await runCli(['runs', '--repo', repo])).stdout).toContain(`${good.branch} (removed)`);
    const nowhere = await runCli(['status', '--repo', path.join(repo, 'no-such-folder')]);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/repository folder \S+no-such-folder does not exist/);
    expect(git(repo, 'ls-files')).toContain('one.txt');

    const forced = await runCli(['clean', bad.runId, '--yes', '--force', '--repo', repo]);
    expect(forced.stdout).toContain('(--force)');
    expect(existsSync(failedWt)).toBe(false);
    expect(git(repo, 'branch', '--list', `caid/${bad.runId}/*`)).toBe('');
  });

  it('caid clean refuses an unknown run and needs a run or --all', async () => {
    expect((await runCli(['clean', 'nope', '--repo', repo])).code).toBe(2);
    expect((await runCli(['clean', '--repo', repo])).stderr).toMatch(/or pass --all/);
  });
});

describe('one owner per run, abort', () => {
  it('caid abort stops a live run (exit 130, cancelled) and keeps its branches', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'a.txt': 'a\n' });
    const pending = runCli(runArgs(repo, planFile(dir, 'goal: g\ntasks:\n  - { id: slow, prompt: p }\n'), path.join(dir, 'wt'), ['--run-id', 'long-run']));
    let listed: { status: string; live: boolean }[] = [];
    for (let i = 0; i < 50 && !listed.length; i++) {
      await new Promise((r) => setTimeout(r, 200));
      listed = JSON.parse((await runCli(['runs', '--repo', repo, '--json'])).stdout);
    }
    expect(listed[0]).toMatchObject({ status: 'running', live: true });
    const serve = spawnCli(['serve', '--repo', repo, '--port', '0']);
    try {
      const base = (await serve.waitFor(/caid dashboard: (http:\/\/\S+)\//))[1]!;
      expect(await (await fetch(`${base}/api/runs/long-run`)).json()).toEqual({ runId: 'long-run', status: 'running', live: true });
      expect(((await (await fetch(`${base}/api/runs`)).json()) as { runs: unknown[] }).runs[0]).toMatchObject({ status: 'running', live: true });
    } finally {
      await serve.stop();
    }
    const abort = await runCli(['abort', 'long-run', '--repo', repo]);
    expect(abort.stderr).toMatch(/stopped run long-run/);
    const r = await pending;
    expect(r.code).toBe(130);
    expect(JSON.parse((await runCli(['runs', '--repo', repo, '--json'])).stdout)[0]).toMatchObject({ status: 'cancelled', live: false });
    expect(git(repo, 'branch', '--list', 'caid/long-run/*')).toContain('caid/long-run/tasks/slow');
    // the same run id again is refused before anything is written
    const again = await runCli(runArgs(repo, planFile(dir, 'goal: g\ntasks:\n  - { id: x, prompt: p }\n'), path.join(dir, 'wt'), ['--run-id', 'long-run']));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/run long-run already exists/);
  }, 60_000);

  it('a run killed with -9 shows as interrupted; abort marks it cancelled', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'a.txt': 'a\n' });
    let pid = 0;
    const pending = runCli(runArgs(repo, planFile(dir, 'goal: g\ntasks:\n  - { id: slow, prompt: p }\n'), path.join(dir, 'wt'), ['--run-id', 'killed']), { onSpawn: (p) => { pid = p; } });
    for (let i = 0; i < 50 && !existsSync(path.join(repo, '.caid/runs/killed/owner.json')); i++) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 500));
    process.kill(pid, 'SIGKILL');
    await pending;
    expect(JSON.parse((await runCli(['runs', '--repo', repo, '--json'])).stdout)[0]).toMatchObject({ status: 'interrupted', live: false });
    // the dashboard says the same, in its run list and for the run's own page (issue 16)
    const serve = spawnCli(['serve', '--repo', repo, '--port', '0']);
    try {
      const base = (await serve.waitFor(/caid dashboard: (http:\/\/\S+)\//))[1]!;
      expect(((await (await fetch(`${base}/api/runs`)).json()) as { runs: unknown[] }).runs[0]).toMatchObject({ runId: 'killed', status: 'interrupted', live: false });
      expect(await (await fetch(`${base}/api/runs/killed`)).json()).toEqual({ runId: 'killed', status: 'interrupted', live: false });
      // and the run's page, in a real browser: not running, its task in flight is interrupted
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(`${base}/runs/killed`);
        await page.waitForSelector('body[data-run-status="interrupted"]');
        expect(await page.locator('#run-status').textContent()).toBe('interrupted (not running)');
        expect(await page.locator('text=caid resume killed').count()).toBe(1);
        expect(await page.locator('tr[data-task="slow"] .badge').textContent()).toBe('interrupted');
        await page.goto(base);
        expect(await page.locator('tr[data-run="killed"] .badge').textContent()).toBe('interrupted (not running)');
      } finally {
        await browser.close();
      }
    } finally {
      await serve.stop();
    }
    // `caid status` says the same as `caid runs` (issue 16)
    expect(JSON.parse((await runCli(['status', 'killed', '--repo', repo, '--json'])).stdout).status).toBe('interrupted');
    expect((await runCli(['status', 'killed', '--repo', repo])).stdout).toMatch(/status interrupted \(resume it: caid resume killed\)/);
    expect((await runCli(['abort', 'killed', '--repo', repo])).stderr).toMatch(/marked it cancelled/);
    expect(JSON.parse((await runCli(['runs', '--repo', repo, '--json'])).stdout)[0].status).toBe('cancelled');
  }, 60_000);

  it('the run lock refuses a second owner while the first lives, and is taken over when it dies', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'a.txt': 'a\n' });
    const holder = spawn('sleep', ['30']);
    try {
      const os = await import('node:os');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(path.join(repo, '.caid/runs/r1'), { recursive: true });
      const now = new Date().toISOString();
      writeFileSync(path.join(repo, '.caid/runs/r1/owner.json'), JSON.stringify({ pid: holder.pid, host: os.hostname(), startedAt: now, heartbeatAt: now }));
      expect(() => RunLock.acquire(repo, 'r1')).toThrow(/run r1 is being driven by process \d+/);
      holder.kill('SIGKILL');
      await new Promise((r) => holder.on('exit', r));
      await new Promise((r) => setTimeout(r, 100));
      const lock = RunLock.acquire(repo, 'r1');
      lock.release();
      expect(existsSync(path.join(repo, '.caid/runs/r1/owner.json'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

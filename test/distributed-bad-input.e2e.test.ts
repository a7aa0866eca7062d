import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git, makeRepo, removeTemps, runCli, tempDir } from './cli-harness.js';

afterAll(() => removeTemps());

function repoWithPlan() {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), { 'a.txt': 'a\n' });
  const plan = path.join(dir, 'plan.yaml');
  writeFileSync(plan, 'goal: g\ntasks:\n  - { id: a, prompt: do a }\n');
  return { dir, repo, plan };
}

describe('distributed commands on bad input: exit 2, a message that says what to do, nothing written', () => {
  it('caid run --queue pointing at no Redis, a non-redis URL, or --remote without a queue', async () => {
    for (const [args, message] of [
      [['--queue', 'redis://127.0.0.1:1'], /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/],
      [['--queue', 'amqp://h'], /--queue takes memory or redis:\/\//],
      [['--remote', '/tmp/x'], /--remote only applies with --queue redis/],
    ] as const) {
      const { dir, repo, plan } = repoWithPlan();
      const r = await runCli(['run', '--plan', plan, '--repo', repo, '--worktree-root', path.join(dir, 'wt'), ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(path.join(repo, '.caid'))).toBe(false);
      expect(git(repo, 'branch', '--list')).toBe('* main');
    }
  });

  it('caid worker without a queue, with an unreachable one, with a model that does not answer, or with a workdir another live worker holds', async () => {
    const dir = tempDir();
    const model = ['--model', 'm', '--base-url', 'http://127.0.0.1:9/v1'];
    const none = await runCli(['worker', ...model]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/pass --queue redis:\/\/host:port/);
    const down = await runCli(['worker', '--queue', 'redis://127.0.0.1:1', '--workdir', path.join(dir, 'w1'), ...model]);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach Redis/);
    expect(existsSync(path.join(dir, 'w1'))).toBe(false);
    const held = path.join(dir, 'held');
    mkdirSync(held);
    writeFileSync(path.join(held, 'worker.pid'), `${process.pid}\n`);
    const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    // A model endpoint that does not answer: exit 2 before any job is taken, naming the URL (issue 16: preflight).
    const silent = await runCli(['worker', '--queue', redis, '--workdir', path.join(dir, 'w2'), ...model]);
    expect(silent.code, silent.stderr).toBe(2);
    expect(silent.stderr).toMatch(/127\.0\.0\.1:9/);
    expect(existsSync(path.join(dir, 'w2'))).toBe(false);
    // The same model from the config file of the directory the worker runs in (no model flags).
    const here = path.join(dir, 'worker-home');
    mkdirSync(here);
    writeFileSync(path.join(here, 'caid.config.yaml'), 'models:\n  worker: { model: m, baseURL: "http://127.0.0.1:9/v1" }\n');
    const fromConfig = await runCli(['worker', '--queue', redis, '--workdir', path.join(dir, 'w3')], { cwd: here });
    expect(fromConfig.code, fromConfig.stderr).toBe(2);
    expect(fromConfig.stderr).toMatch(/127\.0\.0\.1:9/);
    const busy = await runCli(['worker', '--queue', redis, '--workdir', held, '--no-preflight', ...model]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(new RegExp(`in use by process ${process.pid}: give each worker its own --workdir`));
  });

  it('caid resume of an unknown run', async () => {
    const { repo } = repoWithPlan();
    const r = await runCli(['resume', 'no-such-run', '--repo', repo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no run "no-such-run"/);
    expect(existsSync(path.join(repo, '.caid'))).toBe(false);
  });
});

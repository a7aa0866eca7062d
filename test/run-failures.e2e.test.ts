import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, when, type ScriptedModelServer } from '@caid/llm/testing';
import { call, git, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

let model: ScriptedModelServer;

beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      // a conflict round that first tries to finish with markers left in, then resolves
      {
        name: 'stubborn-resolver',
        when: when.lastUserIncludes('merge conflict'),
        reply: (c) => {
          if (c.stepInRound === 0) return call('finish', { summary: 'nothing to do' });
          if (c.stepInRound === 1) return call('write_file', { path: 'shared.txt', content: 'line from left\nline from right\n' });
          return call('finish', { summary: 'kept both lines' });
        },
      },
      { when: (c) => taskOf(c) === 'broken', reply: call('list_files', {}) },
      { when: (c) => taskOf(c) === 'lazy', reply: call('finish', { summary: 'I changed nothing' }) },
      { when: (c) => taskOf(c) === 'always-bad', reply: writesFiles({ 'bad.txt': `attempt at step ${Date.now()}\n` }) },
      { when: (c) => taskOf(c) === 'left', reply: writesFiles({ 'shared.txt': 'line from left\n' }) },
      { when: (c) => taskOf(c) === 'right', reply: (c) => ({ ...writesFiles({ 'shared.txt': 'line from right\n' })(c), delayMs: 150 }) },
      { when: (c) => taskOf(c) === 'uses-setup', reply: (c) => [call('run', { command: 'cat .setup-marker' }), call('write_file', { path: 'done.txt', content: 'ok\n' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 2)]! },
      { when: (c) => taskOf(c) === 'slow', reply: { ...call('list_files', {}), delayMs: 400 } },
      { when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c) },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

async function run(plan: string, o: { ext?: string; args?: string[]; files?: Record<string, string> } = {}) {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n', 'shared.txt': 'original\n', '.gitignore': '.setup-marker\n', ...o.files });
  const planFile = path.join(dir, `plan.${o.ext ?? 'yaml'}`);
  writeFileSync(planFile, plan);
  const worktreeRoot = path.join(dir, 'wt');
  const r = await runCli(['run', '--plan', planFile, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', worktreeRoot, '--json', ...(o.args ?? [])]);
  return { ...r, repo, worktreeRoot, summary: r.stdout ? JSON.parse(r.stdout) : undefined };
}
const task = (s: { tasks: { id: string; status: string }[] }, id: string) => s.tasks.find((t) => t.id === id);

describe('caid run when tasks fail', () => {
  it('a permanently failing task skips its dependents while independent tasks still merge (exit 1)', async () => {
    const r = await run(`
goal: failure isolation
tasks:
  - { id: base, prompt: make base }
  - { id: broken, prompt: never finishes, dependsOn: [base] }
  - { id: needs-broken, prompt: blocked, dependsOn: [broken] }
  - { id: after-needs, prompt: blocked too, dependsOn: [needs-broken] }
  - { id: independent, prompt: unrelated }
`, { args: ['--max-steps', '3', '--workers', '2'] });
    expect(r.code, r.stderr).toBe(1);
    expect(r.summary.status).toBe('failed');
    expect(task(r.summary, 'base')!.status).toBe('merged');
    expect(task(r.summary, 'independent')!.status).toBe('merged');
    expect(task(r.summary, 'broken')!.status).toBe('failed');
    expect(task(r.summary, 'needs-broken')!.status).toBe('skipped');
    expect(task(r.summary, 'after-needs')!.status).toBe('skipped');
    expect(r.stderr).toMatch(/needs-broken skipped: blocked by broken/);
    expect(r.stderr).toMatch(/broken failed: step-limit/);
    const files = git(r.repo, 'ls-tree', '--name-only', r.summary.branch).split('\n');
    expect(files).toEqual(expect.arrayContaining(['base.txt', 'independent.txt']));
    expect(git(r.repo, 'rev-parse', r.summary.branch)).toBe(r.summary.commit);
    // the failed task's worktree is kept for inspection; merged ones are gone
    expect(existsSync(path.join(r.worktreeRoot, r.summary.runId, 'broken'))).toBe(true);
    expect(existsSync(path.join(r.worktreeRoot, r.summary.runId, 'base'))).toBe(false);
  });

  it('a task that fails verify on every attempt is not merged, and the branch keeps only verified work', async () => {
    const r = await run(`
goal: gate
verify: test ! -e bad.txt
tasks:
  - { id: good, prompt: fine }
  - { id: always-bad, prompt: writes bad.txt }
  - { id: child, prompt: blocked, dependsOn: [always-bad] }
`, { args: ['--workers', '1'] });
    expect(r.code, r.stderr).toBe(1);
    expect(task(r.summary, 'always-bad')).toMatchObject({ status: 'failed', attempts: 2 });
    expect(task(r.summary, 'child')!.status).toBe('skipped');
    expect(task(r.summary, 'good')!.status).toBe('merged');
    expect(git(r.repo, 'ls-tree', '--name-only', r.summary.branch)).not.toContain('bad.txt');
    expect(r.stderr).toMatch(/always-bad failed: verify-failed/);
    const log = readFileSync(path.join(r.repo, `.caid/runs/${r.summary.runId}/tasks/always-bad.jsonl`), 'utf8');
    expect(log).toContain('test ! -e bad.txt');
  });

  it('a task whose agent changes nothing fails with no-changes', async () => {
    const r = await run('{"goal":"g","tasks":[{"id":"lazy","prompt":"do nothing"}]}', { ext: 'json' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lazy failed: no-changes/);
  });

  it('refuses to commit a conflict resolution while markers remain', async () => {
    const r = await run(`
goal: conflict
tasks:
  - { id: left, prompt: write left }
  - { id: right, prompt: write right }
`, { args: ['--workers', '2'] });
    expect(r.code, r.stderr).toBe(0);
    expect(git(r.repo, 'show', `${r.summary.branch}:shared.txt`)).toBe('line from left\nline from right');
    const loser = r.summary.tasks.find((t: { conflicts: number }) => t.conflicts === 1);
    expect(loser.id).toBe('right');
    const transcript = readFileSync(path.join(r.repo, `.caid/runs/${r.summary.runId}/tasks/right.jsonl`), 'utf8');
    expect(transcript).toContain('Refused: conflict markers remain in shared.txt');
    // the resolution is a merge commit on the task branch, then merged into integration
    const parents = git(r.repo, 'log', '-1', '--format=%p', `caid/${r.summary.runId}/tasks/right`).split(' ');
    expect(parents).toHaveLength(2);
  });

  it('runs the plan\'s setup in each new worktree before the agent', async () => {
    const r = await run(`
goal: setup
setup: echo prepared-by-setup > .setup-marker
tasks:
  - { id: uses-setup, prompt: read the marker }
`);
    expect(r.code, r.stderr).toBe(0);
    const transcript = readFileSync(path.join(r.repo, `.caid/runs/${r.summary.runId}/tasks/uses-setup.jsonl`), 'utf8');
    expect(transcript).toContain('exit code 0\\nprepared-by-setup');
  });

  it('a failing setup ends the task with setup-failed before any model call', async () => {
    const before = model.requests.length;
    const r = await run(`
goal: setup
setup: echo cannot install >&2; exit 7
tasks:
  - { id: uses-setup, prompt: never reached }
`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/uses-setup failed: setup-failed: setup command .* exited 7: cannot install/);
    expect(model.requests.length).toBe(before);
  });

  it('exits 130 on SIGINT and records the run as cancelled', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'a.txt': 'a\n' });
    const planFile = path.join(dir, 'plan.yaml');
    writeFileSync(planFile, 'goal: g\ntasks:\n  - { id: slow, prompt: takes long }\n');
    let pid = 0;
    const pending = runCli(['run', '--plan', planFile, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--json'], { onSpawn: (p) => { pid = p; } });
    // Interrupt once the agent is at work (not at a fixed time: a loaded machine starts slowly).
    const started = () => {
      const runs = path.join(repo, '.caid', 'runs');
      return existsSync(runs) && readdirSync(runs).some((id) => {
        const log = path.join(runs, id, 'events.jsonl');
        return existsSync(log) && readFileSync(log, 'utf8').includes('"task.started"');
      });
    };
    while (!started()) await new Promise((res) => setTimeout(res, 50));
    process.kill(pid, 'SIGINT');
    const r = await pending;
    expect(r.code, r.stderr).toBe(130);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'cancelled' });
    const status = await runCli(['status', '--repo', repo, '--json']);
    expect(JSON.parse(status.stdout).status).toBe('cancelled');
  });
});

import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, makeRepo, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// The base's verify ran before any task started: with a suite that takes minutes, every agent of
// the run waited for it. Now it runs beside the first tasks, and only merging waits for it (the
// integration worktree is still added and set up first).
const asked = tempDir('caid-asked-');
const model = scriptedModelForFile([
  {
    when: (c) => Boolean(taskOf(c)),
    reply: (c) => {
      // Tells the verify on the base (below) that an agent is at work.
      writeFileSync(path.join(asked, taskOf(c)!), '');
      return writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c);
    },
  },
]);

type Event = { type: string; taskId?: string; status?: string; reason?: string; message?: string };
const events = (repo: string) => {
  const runId = readdirSync(path.join(repo, '.caid', 'runs'))[0]!;
  return readFileSync(path.join(repo, '.caid', 'runs', runId, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
};

function planWith(dir: string, id: string, extra: string): string {
  const plan = path.join(dir, 'plan.yaml');
  writeFileSync(plan, `goal: g\n${extra}tasks:\n  - { id: ${id}, title: T, prompt: write it }\n`);
  return plan;
}

describe('the gate opens beside the first tasks', () => {
  it('an agent works while the base is verified; its merge waits for the gate', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    // The verify passes only once an agent has asked the model: before, it waited here for ever,
    // since no agent started until the base's verify was done.
    const plan = planWith(dir, 'beside', `verify: 'until [ -e ${asked}/beside ]; do sleep 0.1; done; true'\n`);
    const r = await runCli(['run', '--plan', plan, '--repo', repo, ...model.flags(), '--worktree-root', path.join(dir, 'wt'), '--sandbox', 'none', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const log = events(repo);
    const at = (type: string) => log.findIndex((e) => e.type === type);
    expect(at('task.started')).toBeGreaterThan(-1);
    expect(at('task.started')).toBeLessThan(at('run.gate'));
    expect(at('run.gate')).toBeLessThan(at('task.merged'));
    expect(git(repo, 'show', 'caid/' + readdirSync(path.join(repo, '.caid', 'runs'))[0] + '/integration:beside.txt')).toBe('beside');
  }, 120_000);

  it('a run whose every task failed does not wait for the base verify, and records no gate from it', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    // The task's own setup fails; the integration worktree's passes, and its verify would take 10 minutes.
    const plan = planWith(dir, 'doomed', `setup: 'case "$PWD" in *_integration*) ;; *) echo no way >&2; exit 4;; esac'\nverify: 'sleep 600'\n`);
    const r = await runCli(['run', '--plan', plan, '--repo', repo, ...model.flags(), '--worktree-root', path.join(dir, 'wt'), '--sandbox', 'none', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/doomed .*setup-failed/);
    const log = events(repo);
    expect(log.filter((e) => e.type === 'run.gate')).toEqual([]);
    expect(log.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed' });
  }, 60_000);

  it('the integration worktree\'s setup still runs before any task (it may write to .git); failing, it ends the run once', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    // The integration worktree's setup fails; a task's own would pass.
    const plan = planWith(dir, 'never', `setup: 'case "$PWD" in *_integration*) echo disk full >&2; exit 3;; esac'\nverify: 'true'\n`);
    const r = await runCli(['run', '--plan', plan, '--repo', repo, ...model.flags(), '--worktree-root', path.join(dir, 'wt'), '--sandbox', 'none', '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('disk full');
    const log = events(repo);
    expect(log.filter((e) => e.type === 'run.finished')).toHaveLength(1);
    expect(log.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed', reason: 'setup-failed' });
    expect(log.filter((e) => e.type === 'task.started')).toEqual([]);
    expect(existsSync(path.join(asked, 'never'))).toBe(false);
  }, 60_000);
});

import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { git, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

// A user deletes a live task branch (`git update-ref -d`, which git allows even while the
// branch is checked out in the task's worktree) while the run is stopped, then resumes. The task
// must not retry the same failure forever: caid recreates the branch from the commit its
// worktree last had, or fails that task with a reason that says what happened.
let model: ScriptedModelServer;

beforeAll(async () => {
  model = await startScriptedModel({ rules: [{ when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c) }] });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

async function killedRun(point: string) {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
  const plan = path.join(dir, 'plan.yaml');
  writeFileSync(plan, 'goal: g\ntasks:\n  - { id: a, prompt: p }\n  - { id: b, prompt: p }\n');
  const runId = `deleted-${point.replace(/[.:]/g, '-')}`;
  const common = ['--repo', repo, '--model', 'm', '--base-url', model.url];
  const first = await runCli(['run', '--plan', plan, '--run-id', runId, '--workers', '1', '--worktree-root', path.join(dir, 'wt'), '--json', ...common], { env: { CAID_FAULT_KILL_AFTER: point } });
  expect(first.signal).toBe('SIGKILL');
  return { repo, runId, resume: () => runCli(['resume', runId, '--json', ...common]) };
}

const events = (repo: string, runId: string) => readFileSync(path.join(repo, `.caid/runs/${runId}/events.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

/** The admin dir git keeps for task a's worktree (`<repo>/.git/worktrees/<name>`). */
function adminDirOfA(repo: string): string {
  const admin = path.join(repo, '.git', 'worktrees');
  const name = readdirSync(admin).find((n) => readFileSync(path.join(admin, n, 'gitdir'), 'utf8').trim().endsWith('/a/.git'))!;
  return path.join(admin, name);
}
const taskA = (stdout: string) => JSON.parse(stdout).tasks.find((t: { id: string }) => t.id === 'a');

describe('a task branch deleted while the run is stopped', () => {
  it('mid-round: resume recreates it at the commit its worktree last had, and the task merges', async () => {
    const { repo, runId, resume } = await killedRun('task.step:1');
    git(repo, 'update-ref', '-d', `refs/heads/caid/${runId}/tasks/a`);
    const r = await resume();
    expect(r.code, r.stderr).toBe(0);
    expect(taskA(r.stdout).status).toBe('merged');
    expect(git(repo, 'show', `caid/${runId}/integration:a.txt`)).toBe('a');
    expect(readFileSync(path.join(repo, `.caid/runs/${runId}/tasks/a.jsonl`), 'utf8')).toMatch(/branch caid\/[^ ]+\/tasks\/a was deleted outside caid; recreated at [0-9a-f]{10}/);
  }, 120_000);

  it('with its last commit unknown too (reflog gone): the task fails with that reason, the others merge, and a second resume has nothing to retry', async () => {
    const { repo, runId, resume } = await killedRun('task.step:1');
    git(repo, 'update-ref', '-d', `refs/heads/caid/${runId}/tasks/a`);
    rmSync(path.join(adminDirOfA(repo), 'logs', 'HEAD'));
    const r = await resume();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(taskA(r.stdout).status).toBe('failed');
    expect(JSON.parse(r.stdout).tasks.find((t: { id: string }) => t.id === 'b').status).toBe('merged');
    const failed = events(repo, runId).filter((e) => e.type === 'task.failed' && e.taskId === 'a');
    expect(failed).toHaveLength(1);
    expect(failed[0].reason).toMatch(/branch caid\/[^ ]+\/tasks\/a was deleted outside caid and the commit its worktree last had is gone too; the task cannot continue/);
    const again = await resume();
    expect(again.stderr).toMatch(/already ended \(failed\); nothing to resume/);
    expect(events(repo, runId).filter((e) => e.type === 'task.failed' && e.taskId === 'a')).toHaveLength(1);
  }, 120_000);

  it('after its round finished: the recorded commit is merged all the same', async () => {
    const { repo, runId, resume } = await killedRun('task.finished:1');
    git(repo, 'update-ref', '-d', `refs/heads/caid/${runId}/tasks/a`);
    const r = await resume();
    expect(r.code, r.stderr).toBe(0);
    expect(taskA(r.stdout).status).toBe('merged');
    expect(git(repo, 'show', `caid/${runId}/integration:a.txt`)).toBe('a');
  }, 120_000);
});

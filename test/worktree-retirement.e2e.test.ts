import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { call, git, makeRepo, removeTemps, runCli, taskOf, tempDir } from './cli-harness.js';

let model: ScriptedModelServer | undefined;
afterAll(async () => {
  await model?.close();
  removeTemps();
});

describe('worktrees of merged tasks', () => {
  it('are removed as each task merges, so a later task sees only its own worktree, and a failed task keeps its', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    const worktreeRoot = path.join(dir, 'wt');
    // d records the worktree folders of the run while it runs; `broken` finishes without changing anything.
    const steps: Record<string, ReturnType<typeof call>[]> = {
      a: [call('write_file', { path: 'a.txt', content: 'a\n' })],
      b: [call('write_file', { path: 'b.txt', content: 'b\n' })],
      c: [call('write_file', { path: 'c.txt', content: 'c\n' })],
      d: [call('run', { command: 'ls -a .. > folders.txt' })],
      broken: [],
    };
    model = await startScriptedModel({
      rules: [{ name: 'tasks', when: () => true, reply: (c) => [...steps[taskOf(c)!]!, call('finish', { summary: 'done' })][c.stepInRound] ?? call('finish', { summary: 'done' }) }],
    });
    const plan = path.join(dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({
      goal: 'chain',
      tasks: [
        { id: 'a', prompt: 'a' },
        { id: 'b', prompt: 'b', dependsOn: ['a'] },
        { id: 'c', prompt: 'c', dependsOn: ['b'] },
        { id: 'd', prompt: 'd', dependsOn: ['c'] },
        { id: 'broken', prompt: 'nothing' },
      ],
    }));
    // --sandbox none: the scripted agent's `run` lists the run's worktree folder on the host; bwrap's private /tmp (where the test's files live) would hide it.
    const r = await runCli(['run', '--plan', plan, '--repo', repo, '--workers', '1', '--model', 'm', '--base-url', model.url, '--worktree-root', worktreeRoot, '--sandbox', 'none', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const summary = JSON.parse(r.stdout) as { runId: string; branch: string; tasks: { id: string; status: string }[] };
    expect(summary.tasks.map((t) => [t.id, t.status])).toEqual([['a', 'merged'], ['b', 'merged'], ['c', 'merged'], ['d', 'merged'], ['broken', 'failed']]);

    // a and b were merged (and removed) before c ran, which merged before d ran.
    const seen = git(repo, 'show', `${summary.branch}:folders.txt`).split('\n');
    expect(seen).toContain('d');
    expect(seen).not.toContain('a');
    expect(seen).not.toContain('b');
    const runDir = path.join(worktreeRoot, summary.runId);

    // At the end only the failed task's worktree is left, for inspection; every branch stays.
    const left = git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice(9));
    expect(left.slice(1)).toEqual([path.join(runDir, 'broken')]);
    for (const id of ['a', 'b', 'c', 'd', 'broken']) expect(git(repo, 'rev-parse', '--verify', `caid/${summary.runId}/tasks/${id}`)).toMatch(/^[0-9a-f]{40}$/);
  }, 60_000);
});

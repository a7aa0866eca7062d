import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { diskUsage } from '@caid/orchestrator';
import { humanBytes } from '../apps/cli/src/kept-worktrees-note.js';
import { call, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

// Issue 18: a failed run keeps its failed tasks' worktrees; the user is told how many, where, how
// much disk they take, and the command that removes them, at the end of the run and in `caid status`.
let model: ScriptedModelServer;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      { when: (c) => taskOf(c) === 'broken', reply: call('list_files', {}) },
      { when: (c) => taskOf(c) === 'always-bad', reply: writesFiles({ 'bad.txt': `x ${Date.now()}\n` }) },
      { when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c) },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

const PLAN = 'goal: g\nverify: test ! -e bad.txt\ntasks:\n  - { id: ok, prompt: p }\n  - { id: broken, prompt: p }\n  - { id: always-bad, prompt: p }\n';

describe('kept worktrees of a failed run', () => {
  it('are counted, located, sized and given their removal command, at the end of the run and in caid status', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    writeFileSync(path.join(dir, 'plan.yaml'), PLAN);
    const wt = path.join(dir, 'wt');
    const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--model', 'm', '--base-url', model.url, '--worktree-root', wt, '--max-steps', '3', '--run-id', 'kept-1'], { cwd: repo });
    expect(r.code, r.stderr).toBe(1);
    const runDir = path.join(wt, 'kept-1');
    const size = humanBytes(diskUsage(runDir));
    expect(r.stderr).toContain(`kept worktrees: 2 (always-bad, broken) under ${runDir}, ${size} on disk: the work of tasks that did not merge, to inspect\n`);
    const command = /remove them when done: (caid clean kept-1 --yes) {3}\(without --yes it only lists what it would remove\)\n/.exec(r.stderr)?.[1];
    expect(command, r.stderr).toBeDefined();

    // The user looks inside one and leaves a file there: status says so, and what clean needs for it.
    writeFileSync(path.join(runDir, 'broken', 'my-notes.txt'), 'looked at this\n');
    const status = await runCli(['status', 'kept-1'], { cwd: repo });
    expect(status.stdout).toContain(`kept worktrees: 2 (always-bad, broken) under ${runDir}, ${humanBytes(diskUsage(runDir))} on disk`);
    expect(status.stdout).toContain('remove them when done: caid clean kept-1 --yes   (without --yes it only lists what it would remove; add --force for the one with uncommitted changes)');
    const json = JSON.parse((await runCli(['status', 'kept-1', '--json'], { cwd: repo })).stdout) as { keptWorktrees: string[] };
    expect(json.keptWorktrees).toEqual([path.join(runDir, 'always-bad'), path.join(runDir, 'broken')]);

    // The command as printed removes the clean one; the one with the user's file stays until --force.
    const cleaned = await runCli(command!.split(' ').slice(1), { cwd: repo });
    expect(cleaned.code, cleaned.stdout + cleaned.stderr).toBe(0);
    // Its branch stays with it (git cannot delete a branch a worktree has checked out; clean used to crash on it).
    expect(cleaned.stdout).toContain(`keep  branch caid/kept-1/tasks/broken  (checked out in ${path.join(runDir, 'broken')}, which stays)`);
    expect(existsSync(path.join(runDir, 'always-bad'))).toBe(false);
    expect(existsSync(path.join(runDir, 'broken', 'my-notes.txt'))).toBe(true);
    await runCli([...command!.split(' ').slice(1), '--force'], { cwd: repo });
    expect((await runCli(['status', 'kept-1'], { cwd: repo })).stdout).toMatch(/^worktrees: none kept/m);
  }, 60_000);
});

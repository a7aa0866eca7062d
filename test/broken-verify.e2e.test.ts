import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// A new user (issue 18, session "newuser2") mistypes the plan's verify. caid's gate line said only
// "verify fails on the base and caid cannot read per-test results from it"; then every task failed
// verify, and nothing said the command itself could not run. The gate line now says why, from the
// base's own output, at the start of the run (Ctrl-C and `caid resume <id> --verify CMD` fix it).
const model = scriptedModelForFile([
  { when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c) },
]);

describe('a verify command that cannot run', () => {
  it('the gate line names its exit and the shell\'s "not found"', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    const plan = path.join(dir, 'plan.yaml');
    writeFileSync(plan, 'goal: g\nverify: pytset -q\ntasks:\n  - { id: notes, title: Notes, prompt: write notes }\n');
    const r = await runCli(['run', '--plan', plan, '--repo', repo, ...model.flags(), '--worktree-root', path.join(dir, 'wt'), '--verify-attempts', '1']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/gate: all \(verify fails on the base \(exit 127: .*pytset: not found\) and caid cannot read per-test results/);
  }, 120_000);

  it('a failing setup names its first lines, where npm, pip and make put the error, not only its last', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    const plan = path.join(dir, 'plan.yaml');
    // Like `npm ci` without a lockfile: the error, then pages of usage.
    const setup = 'echo "npm error the real error: no package-lock.json"; for i in $(seq 1 200); do echo "npm error   --option-$i  what option $i does"; done; exit 1';
    writeFileSync(plan, `goal: g\nsetup: '${setup}'\ntasks:\n  - { id: notes, title: Notes, prompt: write notes }\n`);
    const r = await runCli(['run', '--plan', plan, '--repo', repo, ...model.flags(), '--worktree-root', path.join(dir, 'wt')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/notes agent stopped: setup-failed \(setup command .* exited 1: npm error the real error: no package-lock\.json/);
  }, 120_000);
});

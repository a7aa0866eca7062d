import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { git, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

let model: ScriptedModelServer;
const mounts: string[] = [];
beforeAll(async () => {
  model = await startScriptedModel({ rules: [{ when: (c) => Boolean(taskOf(c)), reply: (c) => ({ ...writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c), delayMs: 50 }) }] });
});
afterAll(async () => {
  await model.close();
  for (const m of mounts) execFileSync('umount', [m]);
  removeTemps();
});

describe('the disk fills up under the run folder', () => {
  it('stops the run cleanly with a message, and caid resume finishes it once space is back', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'a.txt': 'a\n' });
    // .caid on a real 256 KiB filesystem, nearly full: the run log and transcripts run out of space mid-run.
    const caid = path.join(repo, '.caid');
    mkdirSync(caid);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', caid]);
    mounts.push(caid);
    writeFileSync(path.join(caid, 'filler'), Buffer.alloc(256 * 1024 - 12 * 1024));
    writeFileSync(path.join(dir, 'plan.yaml'), `goal: g\ntasks:\n${['one', 'two', 'three', 'four', 'five', 'six'].map((id) => `  - { id: ${id}, prompt: p }`).join('\n')}\n`);
    const args = ['--repo', repo, '--model', 'm', '--base-url', model.url];
    const first = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--run-id', 'full', '--worktree-root', path.join(dir, 'wt'), '--workers', '2', ...args]);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toMatch(/caid: (cannot write the run log .*\(ENOSPC\)|a worker could not write to disk \(ENOSPC.*\)); the run stopped.* Free disk space or fix permissions, then `caid resume full`/);
    expect(first.stderr).not.toMatch(/internal error/);

    rmSync(path.join(caid, 'filler'));
    // No --model, no --base-url: the run's recorded settings (issue 16).
    const resumed = await runCli(['resume', 'full', '--json', '--repo', repo]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const s = JSON.parse(resumed.stdout);
    expect(s.tasks.map((t: { status: string }) => t.status)).toEqual(Array(6).fill('merged'));
    expect(git(repo, 'ls-tree', '--name-only', s.branch).split('\n').sort()).toEqual(['a.txt', 'five.txt', 'four.txt', 'one.txt', 'six.txt', 'three.txt', 'two.txt']);
  }, 120_000);
});

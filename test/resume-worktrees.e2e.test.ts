import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '@caid/llm/testing';
import { call, git, taskOf, writesFiles } from './cli-harness.js';
import { afterResume, killedAt } from './resume-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// Issue 16: how a worktree is made and confined comes from the run's log on resume: setup and its
// timeout, include, share, the worktree root and the sandbox. These are config-file settings, so
// the config is deleted before `caid resume <id>` (no flags): whatever the resumed run does with
// them, it can only have from the log. Task b depends on a, the run is killed with -9 once a is
// merged, so b's worktree is made by the resumed session.
/** Where task b tries to write outside its worktree (set per test). */
let outside = '';

function taskB(c: Conversation) {
  const steps = [
    call('run', { command: 'cp .env.local inc.txt' }),
    call('run', { command: 'cp deps/lib.txt share.txt' }),
    call('run', { command: 'pwd -P > where.txt' }),
    call('run', { command: `echo out > ${outside}` }),
    call('finish', { summary: 'b' }),
  ];
  return steps[Math.min(c.stepInRound, steps.length - 1)]!;
}

const model = scriptedModelForFile([
  { when: (c) => taskOf(c) === 'a', reply: writesFiles({ 'a.txt': 'a\n' }) },
  { when: (c) => taskOf(c) === 'b', reply: taskB },
]);

const PLAN = 'goal: g\ntasks:\n  - { id: a, prompt: p }\n  - { id: b, prompt: p, dependsOn: [a] }\n';
const FILES = { '.gitignore': '.env.local\ndeps\ncaid.config.yaml\n' };
const config = (repo: string, yaml: string) => {
  writeFileSync(path.join(repo, 'caid.config.yaml'), yaml);
  writeFileSync(path.join(repo, '.env.local'), 'SECRET_SETTING=1\n');
};

describe('resume prepares and confines worktrees as recorded', () => {
  it('setup, include, share, worktreeRoot and sandbox none reach the worktree the resumed session makes', async () => {
    let setupLog = '';
    const r = await killedAt('task.merged:1', PLAN, [...model.flags(), '--workers', '1'], {
      files: FILES,
      before: (s) => {
        mkdirSync(path.join(s.repo, 'deps'));
        setupLog = path.join(s.dir, 'setup.log');
        outside = path.join(s.dir, 'outside.txt');
        config(s.repo, `setup: echo "$PWD" >> ${setupLog}\ninclude: [.env.local]\nshare: [deps]\nsandbox: none\n`);
        writeFileSync(path.join(s.repo, 'deps', 'lib.txt'), 'shared dependency\n');
      },
    });
    rmSync(path.join(r.repo, 'caid.config.yaml'));
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.summary!.tasks.map((t) => [t.id, t.status])).toEqual([['a', 'merged'], ['b', 'merged']]);
    const branch = `caid/${r.runId}/integration`;
    // include: the ignored .env.local was copied in; share: deps was there without a copy in git.
    expect(git(r.repo, 'show', `${branch}:inc.txt`)).toBe('SECRET_SETTING=1');
    expect(git(r.repo, 'show', `${branch}:share.txt`)).toBe('shared dependency');
    // worktreeRoot: b's worktree was under the recorded root, and setup ran in it.
    const bDir = path.join(realpathSync(r.wt), r.runId, 'b');
    expect(git(r.repo, 'show', `${branch}:where.txt`)).toBe(bDir);
    expect(readFileSync(setupLog, 'utf8').split('\n')).toContain(bDir);
    // sandbox none: the agent's command could write outside its worktree (auto would have chosen bwrap here).
    expect(existsSync(outside)).toBe(true);
  }, 30_000);

  it('setupTimeoutMin: the resumed session cuts a hanging setup at the recorded 3 s (the default is 15 min)', async () => {
    const r = await killedAt('task.merged:1', PLAN, [...model.flags(), '--workers', '1'], {
      files: FILES,
      before: (s) => {
        outside = path.join(s.dir, 'outside.txt');
        config(s.repo, 'setup: case "$PWD" in */b) sleep 60;; esac\nsetupTimeoutMin: 0.05\n');
      },
    });
    rmSync(path.join(r.repo, 'caid.config.yaml'));
    const started = Date.now();
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(afterResume(r.events()).find((e) => e.type === 'task.finished' && e.taskId === 'b')).toMatchObject({ status: 'failed', reason: 'setup-failed', message: expect.stringMatching(/timed out/) });
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);
});

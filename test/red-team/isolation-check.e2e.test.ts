import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { call, git, taskOf } from '../cli-harness.js';
import { scriptedModelForFile } from '../scripted-model-for-file.js';
import { attackRepo, runAttack } from './attack-run.js';

// Red team, no sandbox: agents reach out of their worktrees with plain git and shell. The
// isolation check after each round catches it before anything is committed: that task fails
// with `isolation-breach` naming what changed, config and hooks are put back, a repointed `.git`
// is repaired, a task whose branch was deleted fails with a reason, and the honest task lands.
let repo = '';
const RUN = 'redteam-iso';
const hostile: Record<string, () => string> = {
  meddle: () => `git -C ${repo} config evil.planted yes && printf '#!/bin/sh\\nexit 0\\n' > ${repo}/.git/hooks/post-merge && git -C ${repo} branch planted HEAD && echo x > stolen.txt`,
  repoint: () => 'echo "gitdir: /nonexistent/evil" > .git && echo x > work.txt',
  unbranch: () => `git -C ${repo} update-ref -d refs/heads/caid/${RUN}/tasks/unbranch && echo x > work.txt`,
};
const model = scriptedModelForFile([
  ...Object.entries(hostile).map(([id, command]) => ({
    when: (c: Parameters<typeof taskOf>[0]) => taskOf(c) === id,
    reply: (c: { stepInRound: number }) => [call('run', { command: command() }), call('finish', { summary: 'done' })][Math.min(c.stepInRound, 1)]!,
  })),
  { when: (c) => taskOf(c) === 'honest', reply: (c) => [call('write_file', { path: 'honest.txt', content: 'ok\n' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 1)]! },
]);

describe('the isolation check after every agent round', () => {
  it('fails only the task that reached outside, names and restores what it can, and the run goes on', async () => {
    const s = attackRepo(`goal: g\ntasks:\n${['meddle', 'repoint', 'unbranch', 'honest'].map((id) => `  - { id: ${id}, prompt: p }\n`).join('')}`);
    repo = s.repo;
    const { dir } = s;
    const r = await runAttack(s, model.server.url, ['--workers', '1', '--run-id', RUN, '--sandbox', 'none']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout);
    const task = (id: string) => summary.tasks.find((t: { id: string }) => t.id === id);
    expect(task('honest')).toMatchObject({ status: 'merged' });
    for (const id of Object.keys(hostile)) expect(task(id)).toMatchObject({ status: 'failed' });
    // meddle: named, config and hook restored, the planted branch named for the user.
    expect(r.stderr).toMatch(/meddle failed: isolation-breach: the agent changed .*hook post-merge.*ref refs\/heads\/planted.*the repository config/);
    expect(() => git(repo, 'config', 'evil.planted')).toThrow();
    expect(existsSync(path.join(repo, '.git', 'hooks', 'post-merge'))).toBe(false);
    expect(git(repo, 'show', `${summary.branch}:honest.txt`)).toBe('ok');
    expect(() => git(repo, 'show', `caid/${RUN}/tasks/meddle:stolen.txt`)).toThrow();
    // repoint: the .git pointer is put back, so the user's git in that folder works again.
    expect(r.stderr).toMatch(/repoint failed: isolation-breach: the agent changed the task worktree's .git pointer/);
    expect(readFileSync(path.join(dir, 'wt', RUN, 'repoint', '.git'), 'utf8')).toMatch(/gitdir: .*\.git\/worktrees\//);
    expect(git(path.join(dir, 'wt', RUN, 'repoint'), 'status', '--short')).toMatch(/work\.txt/);
    // unbranch: its branch was deleted under it: a reason, not a crash.
    expect(r.stderr).toMatch(/unbranch failed: error: the task's branch caid\/redteam-iso\/tasks\/unbranch was deleted/);
  }, 180_000);
});

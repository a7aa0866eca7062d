import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { call, git, taskOf } from '../cli-harness.js';
import { scriptedModelForFile } from '../scripted-model-for-file.js';
import { attackRepo, runAttack } from './attack-run.js';

// Red team, no sandbox: an agent switches ANOTHER live task's worktree, from that task's caid
// branch to another caid branch (the integration branch, checked out nowhere) or to a detached
// HEAD. caid itself moves parked worktrees between caid branches while rounds run, so the check
// once let every caid-to-caid move pass; now only the moves caid recorded itself are excused.
const RUN = 'redteam-switch';
let current = '';

/** `victim` waits (its worktree live) until the attacker says it is done. */
const victimWaits = `while [ ! -e ../done-switching ]; do sleep 0.1; done; echo victim > victim.txt`;
const attack: Record<string, string> = {
  'to-caid-branch': `git -C ../victim checkout -q -b caid/${RUN}/tasks/planted`,
  detach: 'git -C ../victim checkout -q --detach',
};

const model = scriptedModelForFile([
  { when: (c) => taskOf(c) === 'victim', reply: (c) => [call('run', { command: victimWaits, timeoutSec: 120 }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 1)]! },
  {
    when: (c) => taskOf(c) === 'self-switch',
    reply: (c) => [call('run', { command: `git checkout -q caid/${RUN}/integration && echo x > work.txt` }), call('finish', { summary: 'done' })][Math.min(c.stepInRound, 1)]!,
  },
  { when: (c) => taskOf(c) === 'honest', reply: (c) => [call('write_file', { path: 'honest.txt', content: 'ok\n' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 1)]! },
  {
    when: (c) => taskOf(c) === 'attacker',
    reply: (c) => [
      call('run', { command: `${attack[current]}; echo x > work.txt; touch ../done-switching` }),
      call('finish', { summary: 'done' }),
    ][Math.min(c.stepInRound, 1)]!,
  },
]);

describe('another task\'s worktree switched by an agent', () => {
  it.each(Object.keys(attack))('%s: the attacker fails with isolation-breach naming that worktree, nothing of its round is committed', async (kind) => {
    // The setup (run before the round's snapshot) holds the attacker until the victim's worktree exists,
    // so the check knows that worktree when the attacker's round starts.
    const s = attackRepo('goal: g\nsetup: "while [ ! -e ../victim/.git ]; do sleep 0.1; done"\ntasks:\n  - { id: victim, prompt: p }\n  - { id: attacker, prompt: p }\n');
    const { repo } = s;
    current = kind;
    const r = await runAttack(s, model.server.url, ['--workers', '2', '--run-id', RUN, '--sandbox', 'none']);
    expect(r.stderr).not.toMatch(/internal error/);
    const summary = JSON.parse(r.stdout);
    const task = (id: string) => summary.tasks.find((t: { id: string }) => t.id === id);
    expect(task('attacker')).toMatchObject({ status: 'failed' });
    expect(r.stderr).toMatch(/attacker failed: isolation-breach: the agent changed worktree victim HEAD/);
    expect(() => git(repo, 'show', `caid/${RUN}/tasks/attacker:work.txt`)).toThrow();
  }, 180_000);
});

describe('its own worktree put on the integration branch by an agent', () => {
  it('fails that task, puts its HEAD back, and the integration branch still moves for the next task', async () => {
    const s = attackRepo('goal: g\ntasks:\n  - { id: self-switch, prompt: p }\n  - { id: honest, prompt: p }\n');
    const { repo, dir } = s;
    const r = await runAttack(s, model.server.url, ['--workers', '1', '--run-id', RUN, '--sandbox', 'none']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/self-switch failed: isolation-breach: the agent changed the task worktree's HEAD.*restored: .*the task worktree's HEAD/);
    const summary = JSON.parse(r.stdout);
    expect(summary.tasks.find((t: { id: string }) => t.id === 'honest')).toMatchObject({ status: 'merged' });
    expect(git(repo, 'show', `${summary.branch}:honest.txt`)).toBe('ok');
    expect(git(path.join(dir, 'wt', RUN, 'self-switch'), 'symbolic-ref', 'HEAD')).toBe(`refs/heads/caid/${RUN}/tasks/self-switch`);
  }, 180_000);
});

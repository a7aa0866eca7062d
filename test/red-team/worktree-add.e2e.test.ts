import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { call, git, taskOf } from '../cli-harness.js';
import { scriptedModelForFile } from '../scripted-model-for-file.js';
import { attackRepo, runAttack } from './attack-run.js';

// Red team, no sandbox: an agent makes a new worktree of the repository with `git worktree add`
// (beside its own, or inside it). caid adds worktrees of its own while rounds run (here the
// integration worktree, added to run the early task's own verify after its merge while the
// attacker waits), so "a new admin dir appeared" alone is no breach: only the ones caid did not make are.
const RUN = 'redteam-wtadd';
let current = '';

/**
 * The attacker waits until the early task is merged: caid added the integration worktree to run
 * that task's own verify meanwhile, during the attacker's round.
 */
const waitForCaidsAdd = `for i in $(seq 300); do git cat-file -e caid/${RUN}/integration:early.txt 2>/dev/null && break; sleep 0.1; done; test -e ../_integration/.git && echo yes > ../saw-integration`;
const attack: Record<string, { command: string; path: (wt: string) => string }> = {
  beside: { command: 'git worktree add -q --detach ../planted HEAD', path: (wt) => path.join(wt, RUN, 'planted') },
  inside: { command: 'git worktree add -q --detach nested HEAD', path: (wt) => path.join(wt, RUN, 'attacker', 'nested') },
  'on-integration-branch': { command: `git worktree add -q ../held caid/${RUN}/integration`, path: (wt) => path.join(wt, RUN, 'held') },
};

const model = scriptedModelForFile([
  { when: (c) => taskOf(c) === 'early', reply: (c) => [call('write_file', { path: 'early.txt', content: 'ok\n' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 1)]! },
  {
    when: (c) => taskOf(c) === 'attacker',
    reply: (c) => [
      call('run', { command: `${waitForCaidsAdd}; ${attack[current]!.command}; echo x > work.txt`, timeoutSec: 120 }),
      call('finish', { summary: 'done' }),
    ][Math.min(c.stepInRound, 1)]!,
  },
]);

describe('a new worktree of the repository made by an agent', () => {
  it.each(Object.keys(attack))('%s: the attacker fails with isolation-breach naming it, the worktree is removed, caid\'s own worktree add is no breach', async (kind) => {
    const s = attackRepo('goal: g\ntasks:\n  - { id: attacker, prompt: p }\n  - { id: early, prompt: p, verify: "true" }\n');
    const { repo, wt } = s;
    current = kind;
    const r = await runAttack(s, model.server.url, ['--workers', '2', '--run-id', RUN, '--sandbox', 'none']);
    expect(r.stderr).not.toMatch(/internal error/);
    const summary = JSON.parse(r.stdout);
    const task = (id: string) => summary.tasks.find((t: { id: string }) => t.id === id);
    expect(task('early')).toMatchObject({ status: 'merged' });
    expect(task('attacker')).toMatchObject({ status: 'failed' });
    expect(r.stderr.indexOf('early merged')).toBeLessThan(r.stderr.indexOf('attacker failed'));
    // caid's own add happened during the attacker's round (the folder goes at run end).
    expect(readFileSync(path.join(wt, RUN, 'saw-integration'), 'utf8')).toBe('yes\n');
    const planted = attack[kind]!.path(wt);
    expect(r.stderr).toMatch(new RegExp(`attacker failed: isolation-breach: the agent changed a new worktree at ${planted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(r.stderr).toMatch(/restored: .*a new worktree at/);
    expect(() => git(repo, 'show', `caid/${RUN}/tasks/attacker:work.txt`)).toThrow();
    // Removed: git no longer lists it, and its folder is gone.
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toContain(planted);
    expect(existsSync(planted)).toBe(false);
  }, 180_000);
});

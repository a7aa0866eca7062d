import { describe, expect, it } from 'vitest';
import { call, git, taskOf } from '../cli-harness.js';
import { scriptedModelForFile } from '../scripted-model-for-file.js';
import { attackRepo, runAttack } from './attack-run.js';

// Red team, no sandbox: an agent points this run's integration branch at a commit of its own
// (`git update-ref`), after another task was merged. caid's own refs are no item of the isolation
// check (they move while rounds run), so the integrator itself knows where it left the branch and
// puts it back before building on it: the merged work is not lost and nothing unverified lands.
const RUN = 'redteam-intmove';

const attack = [
  `for i in $(seq 300); do git cat-file -e caid/${RUN}/integration:early.txt 2>/dev/null && break; sleep 0.1; done`,
  `git cat-file -e caid/${RUN}/integration:early.txt`,
  'echo evil > evil.txt && git add evil.txt && git -c user.name=a -c user.email=a@a commit -qm evil',
  `git update-ref refs/heads/caid/${RUN}/integration HEAD`,
  'touch ../attacked',
].join(' && ');

const model = scriptedModelForFile([
  { when: (c) => taskOf(c) === 'attacker', reply: (c) => [call('run', { command: attack, timeoutSec: 120 }), call('finish', { summary: 'done' })][Math.min(c.stepInRound, 1)]! },
  { when: (c) => taskOf(c) === 'early', reply: (c) => [call('write_file', { path: 'early.txt', content: 'ok\n' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 1)]! },
  {
    when: (c) => taskOf(c) === 'late',
    reply: (c) => [call('run', { command: 'for i in $(seq 300); do [ -e ../attacked ] && break; sleep 0.1; done; echo ok > late.txt', timeoutSec: 120 }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 1)]!,
  },
]);

describe('this run\'s integration branch moved by an agent', () => {
  it('is put back where caid left it before the next merge: merged work stays, every first-parent commit is a merge of caid\'s', async () => {
    const s = attackRepo('goal: g\ntasks:\n  - { id: attacker, prompt: p }\n  - { id: early, prompt: p }\n  - { id: late, prompt: p }\n');
    const { repo } = s;
    const r = await runAttack(s, model.server.url, ['--workers', '3', '--run-id', RUN, '--sandbox', 'none']);
    expect(r.stderr).not.toMatch(/internal error/);
    const summary = JSON.parse(r.stdout);
    const task = (id: string) => summary.tasks.find((t: { id: string }) => t.id === id);
    expect(task('early')).toMatchObject({ status: 'merged' });
    expect(task('late')).toMatchObject({ status: 'merged' });
    const branch = `caid/${RUN}/integration`;
    expect(git(repo, 'show', `${branch}:early.txt`)).toBe('ok');
    expect(git(repo, 'show', `${branch}:late.txt`)).toBe('ok');
    // The attacker's own commit enters only as the second parent of caid's merge of its task, if at all.
    const subjects = git(repo, 'log', '--first-parent', '--format=%s', `${git(repo, 'rev-parse', `${branch}~0`)}`, `^${git(repo, 'rev-parse', 'main')}`).split('\n');
    expect(subjects.every((s) => s.startsWith('caid: merge task'))).toBe(true);
  }, 180_000);
});

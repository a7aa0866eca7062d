import { describe, expect, it } from 'vitest';
import { call, git, runCli, taskOf } from '../cli-harness.js';
import { scriptedModelForFile } from '../scripted-model-for-file.js';
import { attackRepo, runAttack } from './attack-run.js';

// Red team, no sandbox: an agent leaves the integration branch where caid cannot move it: checked
// out in a worktree it made and wrote into (so the isolation check keeps it for the user), in the
// user's own checkout, or behind a ref lock file. A merge that cannot be published fails the task it was for, with the
// reason; it is no crash of the run, and the other tasks go on.
const RUN = 'redteam-unmovable';
let current = '';

const attack: Record<string, string> = {
  'checked-out': `git worktree add -q ../held caid/${RUN}/integration && echo mine > ../held/dirty.txt`,
  'main-checkout': `git -C "$(dirname "$(git rev-parse --git-common-dir)")" checkout -q caid/${RUN}/integration`,
  'ref-lock': `touch "$(git rev-parse --git-common-dir)/refs/heads/caid/${RUN}/integration.lock"`,
};

const model = scriptedModelForFile([
  {
    when: (c) => taskOf(c) === 'attacker',
    reply: (c) => [call('run', { command: `${attack[current]}; echo x > work.txt` }), call('finish', { summary: 'done' })][Math.min(c.stepInRound, 1)]!,
  },
  { when: (c) => taskOf(c) === 'later', reply: (c) => [call('write_file', { path: 'later.txt', content: 'ok\n' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 1)]! },
]);

describe('an integration branch caid cannot move', () => {
  it.each([
    ['checked-out', /later failed: .*cannot move the integration branch caid\/redteam-unmovable\/integration: it is checked out in .*held/],
    ['main-checkout', /later failed: .*cannot move the integration branch caid\/redteam-unmovable\/integration: it is checked out in .*repo \(switch that checkout/],
    ['ref-lock', /(attacker|later) failed: .*cannot move the integration branch caid\/redteam-unmovable\/integration: .*lock/],
  ])('%s: the task whose merge could not land fails with the reason, the run ends normally', async (kind, reason) => {
    // One worker, so the attacker's round ends before `later` is merged.
    const s = attackRepo('goal: g\ntasks:\n  - { id: attacker, prompt: p }\n  - { id: later, prompt: p }\n');
    const { repo } = s;
    current = kind;
    const r = await runAttack(s, model.server.url, ['--workers', '1', '--run-id', RUN, '--sandbox', 'none']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(summary.status).toBe('failed');
    expect(r.stderr).toMatch(reason);
    // The run can still be read and cleaned: status folds the log to the same end.
    const status = await runCli(['status', RUN, '--repo', repo, '--json']);
    expect(JSON.parse(status.stdout).status).toBe('failed');
    expect(git(repo, 'rev-parse', `caid/${RUN}/integration`)).toBe(summary.commit);
  }, 180_000);
});

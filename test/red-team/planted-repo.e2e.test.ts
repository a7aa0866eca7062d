import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, git, taskOf, tempDir } from '../cli-harness.js';
import { scriptedModelForFile } from '../scripted-model-for-file.js';
import { attackRepo, runAttack } from './attack-run.js';

// A hostile (or confused) agent plants git repositories inside its worktree: an empty one (which
// `git add -A` refuses), and one with a commit and a config that names programs (hook, fsmonitor)
// for caid's own git to run (`git add -A` would record it as a gitlink to a commit that exists
// nowhere else). caid commits neither, says so in the transcript, never runs git inside them, and
// lands the task's real work; nothing planted ever runs.
let marker: string;
beforeAll(() => {
  marker = path.join(tempDir(), 'pwned');
});
const model = scriptedModelForFile([
  { when: (c) => taskOf(c) === 'plant', reply: (c) => [
    call('run', { command: `git init -q evil/empty && git init -q evil/armed && printf '#!/bin/sh\\ntouch ${marker}\\n' > evil/armed/.git/hooks/pre-commit && chmod +x evil/armed/.git/hooks/pre-commit && git -C evil/armed -c user.name=a -c user.email=a@a -c core.hooksPath=/dev/null commit -q --allow-empty -m x && git -C evil/armed config core.fsmonitor "touch ${marker}" && echo real > real.txt && echo planted` }),
    call('finish', { summary: 'planted' }),
  ][Math.min(c.stepInRound, 1)]! },
  { when: (c) => taskOf(c) === 'honest', reply: (c) => [call('write_file', { path: 'honest.txt', content: 'ok\n' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 1)]! },
]);

describe('an agent plants git repositories in its worktree', () => {
  it('lands the task\'s work without the planted repositories, never ends the run with an internal error, never runs a planted program', async () => {
    const s = attackRepo('goal: g\ntasks:\n  - { id: plant, prompt: p }\n  - { id: honest, prompt: p }\n');
    const { repo } = s;
    const r = await runAttack(s, model.server.url, ['--workers', '2']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect([0, 1]).toContain(r.code);
    const summary = JSON.parse(r.stdout);
    expect(summary.tasks.find((t: { id: string }) => t.id === 'honest')).toMatchObject({ status: 'merged' });
    expect(git(repo, 'show', `${summary.branch}:honest.txt`)).toBe('ok');
    expect(() => readFileSync(marker)).toThrow();
    // The task's real work lands; neither planted repository is committed (no gitlink, no files).
    expect(summary.tasks.find((t: { id: string }) => t.id === 'plant')).toMatchObject({ status: 'merged' });
    expect(git(repo, 'show', `${summary.branch}:real.txt`)).toBe('real');
    expect(git(repo, 'ls-tree', '-r', summary.branch)).not.toMatch(/evil/);
    const runDir = path.join(repo, '.caid/runs', readdirSync(path.join(repo, '.caid/runs'))[0]!);
    expect(readFileSync(path.join(runDir, 'tasks/plant.jsonl'), 'utf8')).toMatch(/not committed: git repositories inside the worktree \(evil\/armed, evil\/empty\)/);
  }, 120_000);
});

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { call, git, makeRepo, removeTemps, runCli, taskOf, tempDir } from '../cli-harness.js';

// A hostile (or confused) agent plants git repositories inside its worktree: an empty one (which
// `git add -A` refuses), and one whose config names a program for caid's own git to run. Only
// that task may suffer; the run goes on, its other task lands, and nothing planted ever runs.
let model: ScriptedModelServer;
let marker: string;
beforeAll(async () => {
  marker = path.join(tempDir(), 'pwned');
  model = await startScriptedModel({
    rules: [
      { when: (c) => taskOf(c) === 'plant', reply: (c) => [
        call('run', { command: `git init -q evil/empty && git init -q evil/armed && printf '#!/bin/sh\\ntouch ${marker}\\n' > evil/armed/.git/hooks/pre-commit && chmod +x evil/armed/.git/hooks/pre-commit && git -C evil/armed config core.fsmonitor "touch ${marker}" && echo planted` }),
        call('finish', { summary: 'planted' }),
      ][Math.min(c.stepInRound, 1)]! },
      { when: (c) => taskOf(c) === 'honest', reply: (c) => [call('write_file', { path: 'honest.txt', content: 'ok\n' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 1)]! },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe('an agent plants git repositories in its worktree', () => {
  it('fails or lands that task on its own, never ends the run with an internal error, never runs a planted program', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    writeFileSync(path.join(dir, 'plan.yaml'), 'goal: g\ntasks:\n  - { id: plant, prompt: p }\n  - { id: honest, prompt: p }\n');
    const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url,
      '--worktree-root', path.join(dir, 'wt'), '--workers', '2', '--json']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect([0, 1]).toContain(r.code);
    const summary = JSON.parse(r.stdout);
    expect(summary.tasks.find((t: { id: string }) => t.id === 'honest')).toMatchObject({ status: 'merged' });
    expect(git(repo, 'show', `${summary.branch}:honest.txt`)).toBe('ok');
    expect(() => readFileSync(marker)).toThrow();
    const plant = summary.tasks.find((t: { id: string }) => t.id === 'plant');
    // git refuses to add a repository with nothing checked out: that task fails, saying which folder.
    expect(plant).toMatchObject({ status: 'failed' });
    expect(r.stderr).toMatch(/plant failed: .*'evil\/\w+\/' does not have a commit checked out/);
  }, 120_000);
});

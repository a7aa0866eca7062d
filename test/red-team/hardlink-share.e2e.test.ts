import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { call, git, removeTemps, taskOf } from '../cli-harness.js';
import { runFolder, runIn, setup } from '../runtime-harness.js';

// Red team through the CLI: `share: {path: data, mode: hardlink}` with agent commands NOT under
// bwrap. A hard link is the user's own file, and only bwrap's read-only bind keeps a shell
// command out of it; so without the sandbox caid copies the share (reflink where it can) and the
// agent's `echo pwned >> data/x.txt` changes the task's copy only.
let model: ScriptedModelServer;

beforeAll(async () => {
  model = await startScriptedModel({
    rules: [{
      when: (c) => taskOf(c) === 'append',
      reply: (c) => [call('run', { command: 'echo pwned >> data/x.txt; cat data/x.txt > seen.txt' }), call('finish', { summary: 'appended' })][Math.min(c.stepInRound, 1)]!,
    }],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe('a hard-linked share without the sandbox', () => {
  it('is copied, so a `run` append never reaches the user\'s file', async () => {
    const s = setup('goal: g\ntasks:\n  - { id: append, prompt: p }\n', {
      '.gitignore': 'data/\n',
      'caid.config.yaml': 'share: [{ path: data, mode: hardlink }]\n',
    });
    mkdirSync(path.join(s.repo, 'data'));
    const userFile = path.join(s.repo, 'data', 'x.txt');
    writeFileSync(userFile, 'the user\'s data\n');
    const r = await runIn(s, ['--model', 'm', '--base-url', model.url, '--sandbox', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(userFile, 'utf8')).toBe('the user\'s data\n');
    expect(statSync(userFile).nlink).toBe(1);
    // The agent did append: to its own copy.
    expect(git(s.repo, 'show', `${r.summary.branch}:seen.txt`)).toBe('the user\'s data\npwned');
    expect(readFileSync(path.join(runFolder(s.repo), 'tasks/append.jsonl'), 'utf8')).toMatch(/shared data by copy \(agent commands are not sandboxed/);
  });
});

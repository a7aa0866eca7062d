import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { sandboxProblem } from '@caid/agent';
import { call, git, removeTemps, taskOf, writesFiles } from './cli-harness.js';
import { runFolder, runIn, setup, statusOf } from './runtime-harness.js';

const KEY = 'sk-runtime-e2e-secret-0123456789abcdef';
let model: ScriptedModelServer;

beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      {
        when: (c) => taskOf(c) === 'boxed',
        reply: (c) => [call('run', { command: 'touch /usr/caid-boxed-escape; echo "home=$HOME"; echo inside > boxed.txt' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 1)]!,
      },
      { when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c) },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe.skipIf(sandboxProblem('bwrap') !== null && !process.env.CI)('sandbox', () => {
  it('--sandbox bwrap runs the agent commands read-only outside the worktree, and the task still merges', async () => {
    const s = setup('goal: g\ntasks:\n  - { id: boxed, prompt: p }\n');
    const r = await runIn(s, ['--model', 'm', '--base-url', model.url, '--sandbox', 'bwrap']);
    expect(r.code, r.stderr).toBe(0);
    expect(git(s.repo, 'show', `${r.summary.branch}:boxed.txt`)).toBe('inside');
    expect(existsSync('/usr/caid-boxed-escape')).toBe(false);
    const transcript = readFileSync(path.join(runFolder(s.repo), 'tasks/boxed.jsonl'), 'utf8');
    expect(transcript).toMatch(/cannot touch '\/usr\/caid-boxed-escape': Read-only file system/);
    expect(transcript).toMatch(/home=[^\\]*\.scratch\/boxed\/home/);
  });
});

describe('external CLI agent', () => {
  it('runs the command in the worktree, commits, merges and verifies; a send-back reruns it with the failure text', async () => {
    const agent = path.resolve(__dirname, 'fixtures/fake-agent.mjs');
    const s = setup('goal: ext\nverify: test -f fixed.txt\ntasks:\n  - { id: ext-one, prompt: create ext-one.txt }\n', { 'AGENTS.md': 'HOUSE RULE 42\n' });
    const r = await runIn(s, ['--agent-command', `node ${agent} {promptFile}`], { OPENAI_API_KEY: KEY });
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.tasks).toEqual([{ id: 'ext-one', status: 'merged', attempts: 2, conflicts: 0 }]);
    expect(git(s.repo, 'show', `${r.summary.branch}:ext-one.txt`)).toBe('written by the fake agent for ext-one');
    expect(git(s.repo, 'show', `${r.summary.branch}:fixed.txt`)).toBe('fixed after the send-back');
    const transcript = readFileSync(path.join(runFolder(s.repo), 'tasks/ext-one.jsonl'), 'utf8');
    expect(transcript).toContain('edited ext-one.txt; key visible: no; instructions: yes');
    expect(transcript).toContain('fixed the failing verify');
    const prompts = readdirSync(path.join(s.wt, r.summary.runId, '.scratch/ext-one')).filter((f) => f.startsWith('prompt-')).sort();
    expect(prompts).toEqual(['prompt-1.md', 'prompt-2.md']);
    expect(readFileSync(path.join(s.wt, r.summary.runId, '.scratch/ext-one/prompt-2.md'), 'utf8')).toMatch(/create ext-one\.txt[\s\S]*# Now[\s\S]*`test -f fixed.txt` failed/);
  });

  it('a conflict round reruns the command with the conflict in the prompt file', async () => {
    const agent = path.resolve(__dirname, 'fixtures/fake-agent.mjs');
    const s = setup('goal: ext\ntasks:\n  - { id: left, prompt: edit shared.txt }\n  - { id: right, prompt: edit shared.txt }\n', { 'shared.txt': 'base\n' });
    const r = await runIn(s, ['--agent-command', `node ${agent} {promptFile}`, '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(git(s.repo, 'show', `${r.summary.branch}:shared.txt`)).toBe('left\nright');
    const conflicted = r.summary.tasks.find((t: { conflicts: number }) => t.conflicts === 1);
    expect(conflicted).toMatchObject({ id: 'left', status: 'merged', attempts: 2 });
    expect(readFileSync(path.join(s.wt, r.summary.runId, '.scratch', conflicted.id, 'prompt-2.md'), 'utf8')).toMatch(/# Now[\s\S]*merge conflict[\s\S]*- shared\.txt/);
    expect(readFileSync(path.join(runFolder(s.repo), `tasks/${conflicted.id}.jsonl`), 'utf8')).toContain('resolved the merge conflict');
  });
});

describe('record and replay', () => {
  it('replays a recorded run without the model server and reaches the same tree', async () => {
    const plan = 'goal: rr\ntasks:\n  - { id: r-one, prompt: p }\n  - { id: r-two, prompt: p, dependsOn: [r-one] }\n  - { id: r-three, prompt: p }\n';
    const first = setup(plan);
    const rec = path.join(first.dir, 'recording');
    const recorded = await runIn(first, ['--model', 'm', '--base-url', model.url, '--record', rec]);
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(readdirSync(rec).length).toBeGreaterThanOrEqual(6);
    const served = model.requests.length;
    const second = setup(plan);
    const replayed = await runIn(second, ['--replay', rec]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(model.requests.length).toBe(served);
    expect(statusOf(replayed.summary)).toEqual(statusOf(recorded.summary));
    expect(replayed.summary.usage).toEqual(recorded.summary.usage);
    const tree = (repo: string, branch: string) => git(repo, 'rev-parse', `${branch}^{tree}`);
    expect(tree(second.repo, replayed.summary.branch)).toBe(tree(first.repo, recorded.summary.branch));
  });
});

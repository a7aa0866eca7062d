import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { call, git, makeRepo, removeTemps, runCli, taskOf, tempDir } from './cli-harness.js';

let model: ScriptedModelServer;
const GARBAGE = `${'\u0000\u00ff{"tool_calls": [ '.repeat(10)}${'x'.repeat(1024 * 1024)}`;

beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      { when: (c) => taskOf(c) === 'loud', reply: (c) => [call('run', { command: "head -c 5000000 /dev/zero | tr '\\0' a; echo; echo THE-END" }), call('write_file', { path: 'loud.txt', content: 'ok' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 2)]! },
      { when: (c) => taskOf(c) === 'garbage', reply: (c) => (c.assistantTurns === 0 ? { content: GARBAGE } : [call('write_file', { path: 'g.txt', content: 'ok' }), call('finish', { summary: 'recovered' })][Math.min(c.assistantTurns - 1, 1)]!) },
      { when: (c) => taskOf(c) === 'latin', reply: (c) => [call('read_file', { path: 'legacy.txt' }), call('search', { pattern: 'caf' }), call('write_file', { path: 'new.txt', content: 'ok' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 3)]! },
      { when: (c) => Boolean(taskOf(c)), reply: (c) => [call('write_file', { path: `${taskOf(c)}.txt`, content: 'ok\n' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 1)]! },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

async function run(files: Record<string, string | Buffer>, plan: string, args: string[] = [], prepare?: (repo: string) => void) {
  const dir = tempDir();
  const text = Object.fromEntries(Object.entries(files).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const repo = makeRepo(path.join(dir, 'repo'), text);
  for (const [f, v] of Object.entries(files)) if (Buffer.isBuffer(v)) writeFileSync(path.join(repo, f), v);
  if (Object.values(files).some(Buffer.isBuffer)) { git(repo, 'add', '-A'); git(repo, '-c', 'user.name=u', '-c', 'user.email=u@x', 'commit', '-qm', 'binary'); }
  prepare?.(repo);
  writeFileSync(path.join(dir, 'plan.yaml'), plan);
  const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--json', ...args]);
  return { ...r, repo, summary: r.stdout ? JSON.parse(r.stdout) : undefined };
}
const transcriptOf = (repo: string, runId: string, task: string) => readFileSync(path.join(repo, `.caid/runs/${runId}/tasks/${task}.jsonl`), 'utf8');
const ONE = (id: string) => `goal: g\ntasks:\n  - { id: ${id}, prompt: p }\n`;

describe('hostile input ends cleanly and loses nothing', () => {
  it('a detached HEAD: the run works from it and leaves it detached where it was', async () => {
    const r = await run({ 'a.txt': 'a\n' }, ONE('one'), [], (repo) => git(repo, 'checkout', '-q', '--detach'));
    expect(r.code, r.stderr).toBe(0);
    expect(git(r.repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('HEAD');
    expect(git(r.repo, 'rev-parse', `${r.summary.branch}~1`)).toBe(git(r.repo, 'rev-parse', 'HEAD'));
  });

  it('an existing caid/<runId> branch in the way: exit 2, nothing overwritten or written', async () => {
    const r = await run({ 'a.txt': 'a\n' }, ONE('one'), ['--run-id', 'taken'], (repo) => git(repo, 'branch', 'caid/taken/integration'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/branch caid\/taken\/integration is in the way of run taken/);
    expect(git(r.repo, 'rev-parse', 'caid/taken/integration')).toBe(git(r.repo, 'rev-parse', 'main'));
    expect(readdirSync(r.repo)).not.toContain('.caid');
  });

  it('a verify command that hangs is timed out, the task sent back, then failed; the run ends', async () => {
    const r = await run({ 'a.txt': 'a\n' }, 'goal: g\ntasks:\n  - { id: one, prompt: p }\n', ['--verify', 'sleep 300', '--verify-timeout', '0.03', '--gate', 'all']);
    expect(r.code).toBe(1);
    expect(r.summary.tasks[0]).toMatchObject({ status: 'failed', attempts: 2 });
    expect(r.stderr).toMatch(/one failed: verify-failed/);
    expect(transcriptOf(r.repo, r.summary.runId, 'one')).toMatch(/verify timed out/);
  }, 60_000);

  it('megabytes of tool output reach the model clipped, and the task goes on', async () => {
    const r = await run({ 'a.txt': 'a\n' }, ONE('loud'));
    expect(r.code, r.stderr).toBe(0);
    const t = transcriptOf(r.repo, r.summary.runId, 'loud');
    expect(t.length).toBeLessThan(200_000);
    expect(t).toMatch(/characters cut/);
    expect(t).toContain('THE-END');
  });

  it('a 1 MB reply of garbage goes back to the model as an error, and the task recovers', async () => {
    const r = await run({ 'a.txt': 'a\n' }, ONE('garbage'));
    expect(r.code, r.stderr).toBe(0);
    expect(transcriptOf(r.repo, r.summary.runId, 'garbage')).toContain('Your reply contained no tool call');
  });

  it('non-UTF-8 files in the repository do not break reading or searching', async () => {
    const r = await run({ 'a.txt': 'a\n', 'legacy.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]) }, ONE('latin'));
    expect(r.code, r.stderr).toBe(0);
    expect(transcriptOf(r.repo, r.summary.runId, 'latin')).toMatch(/legacy\.txt:1: caf/);
    expect(readFileSync(path.join(r.repo, 'legacy.txt'))).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  });

  it('conflict markers already committed in the base are not mistaken for unresolved work', async () => {
    const r = await run({ 'notes.md': 'title\n=======\n<<<<<<< old notes\nkept on purpose\n>>>>>>> end\n' }, ONE('one'));
    expect(r.code, r.stderr).toBe(0);
    expect(git(r.repo, 'show', `${r.summary.branch}:notes.md`)).toContain('<<<<<<< old notes');
  });

  it('ten kinds of malformed plan all end with exit 2 and a message naming the problem', async () => {
    const cases: [string, RegExp][] = [
      ['just a string', /invalid plan.*\(root\)/s],
      ['goal: g\n', /tasks/],
      ['goal: g\ntasks: {a: 1}\n', /tasks/],
      ['tasks:\n  - { id: a, prompt: p }\n', /goal/],
      ['goal: g\ntasks:\n  - { id: a }\n', /tasks\.0\.prompt/],
      ['goal: g\ntasks:\n  - { id: a, prompt: p, dependsOn: a }\n', /dependsOn/],
      ['goal: g\ntasks:\n  - { id: a, prompt: p, files: [1, 2] }\n', /files/],
      ['goal: g\ntasks:\n  - { id: "a b", prompt: p }\n', /kebab-case/],
      ['goal: g\ntasks:\n  - { id: a, prompt: p }\n  - { id: b, prompt: p, dependsOn: [b] }\n', /depends on itself/],
      ['goal: g\ntasks:\n\t- bad indentation\n', /not valid YAML/],
      ['goal: [unclosed\n', /not valid YAML/],
    ];
    for (const [plan, message] of cases) {
      const r = await run({ 'a.txt': 'a\n' }, plan);
      expect(r.code, plan).toBe(2);
      expect(r.stderr, plan).toMatch(message);
    }
  }, 60_000);
});

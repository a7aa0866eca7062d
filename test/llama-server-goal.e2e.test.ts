import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadExchanges, startReplayServer, type ReplayServer } from '@caid/llm/testing';
import { makeRepo, removeTemps, runCli, tempDir } from './cli-harness.js';

// Issue 17, finding 5: against the real llama-server, a run "succeeded" (exit 0) with 0 of 3 tests
// passing, and a task wrote a file it had not declared without a word. The agent's replies here are
// that server's recorded bytes (packages/llm/fixtures/llama-server): write src/bor.js, run the
// tests, finish.
const fixtures = path.resolve(__dirname, '../packages/llm/fixtures/llama-server');
const recorded = (file: string, pick?: number[]) => loadExchanges(path.join(fixtures, file), pick);

let server: ReplayServer | undefined;
afterAll(async () => {
  await server?.close();
  removeTemps();
});

const REPO = {
  'package.json': '{ "type": "module" }\n',
  'src/sub.js': "export function sub(a, b) {\n  throw new Error('todo');\n}\n",
  'test/sub.test.js': [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    "import { sub } from '../src/sub.js';",
    "test('sub ints', () => assert.equal(sub(5, 3), 2));",
    "test('sub negative', () => assert.equal(sub(3, 5), -2));",
    "test('sub zero', () => assert.equal(sub(0, 0), 0));",
    '',
  ].join('\n'),
};

async function run(plan: string) {
  server = await startReplayServer([...recorded('proxy-ctx.jsonl', [0, 1]), ...recorded('trained-finish.jsonl')]);
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), REPO);
  writeFileSync(path.join(dir, 'plan.yaml'), plan);
  const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'caid-fixture', '--base-url', server.url,
    '--worktree-root', path.join(dir, 'wt'), '--workers', '1', '--no-preflight', '--json']);
  const status = await runCli(['status', '--repo', repo]);
  return { ...r, repo, status, summary: r.stdout ? JSON.parse(r.stdout) : undefined };
}

const PLAN = `
goal: implement sub
verify: node --test
tasks:
  - { id: sub, prompt: Implement sub in src/sub.js, files: [src/sub.js] }
`;

describe('a run whose final tests are not all green (replayed llama-server session)', () => {
  it('ends incomplete with exit 3, says why in the summary, status and --json, and warns of the undeclared write', async () => {
    const r = await run(PLAN);
    expect(r.code, r.stderr).toBe(3);
    expect(r.summary).toMatchObject({ status: 'incomplete', reason: 'tests-failing', tests: { passed: 0, failed: 3, total: 3 } });
    expect(r.summary.message).toMatch(/0 of 3 tests pass at the end/);
    expect(r.summary.tasks[0]).toMatchObject({ id: 'sub', status: 'merged' });
    expect(r.stderr).toMatch(/goal not reached \(tests-failing\)/);
    expect(r.stderr).toMatch(/warning: sub wrote outside its declared files: src\/bor\.js/);
    expect(r.summary.undeclaredWrites).toEqual({ sub: ['src/bor.js'] });
    expect(r.status.stdout).toMatch(/status incomplete/);
    expect(r.status.stdout).toMatch(/goal not reached: every task merged \(1\), but 0 of 3 tests pass/);
    const log = (await import('node:fs')).readFileSync(path.join(r.repo, `.caid/runs/${r.summary.runId}/events.jsonl`), 'utf8');
    expect(log).toMatch(/"type":"task.undeclared-writes".*"paths":\["src\/bor.js"\]/);
  }, 120_000);

  it('succeeds when the plan says partial progress is the goal', async () => {
    const r = await run(PLAN.replace('goal: implement sub', 'goal: implement sub\npartialProgress: true'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary).toMatchObject({ status: 'succeeded', tests: { passed: 0, total: 3 } });
  }, 120_000);
});

describe('--budget-tokens against a runaway streamed reply (llama-server chunk shape; see fixtures README)', () => {
  it('cuts the reply mid-stream once the run has used its budget, counting the streamed tokens', async () => {
    const runaway = await startReplayServer(recorded('runaway-stream.jsonl'));
    try {
      const dir = tempDir();
      const repo = makeRepo(path.join(dir, 'repo'), REPO);
      writeFileSync(path.join(dir, 'plan.yaml'), PLAN);
      const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'caid-fixture', '--base-url', runaway.url, '--stream',
        '--worktree-root', path.join(dir, 'wt'), '--workers', '1', '--no-preflight', '--budget-tokens', '2000', '--json']);
      expect(r.code, r.stderr).toBe(1);
      const summary = JSON.parse(r.stdout);
      expect(summary.reason).toBe('budget');
      const used = summary.usage.inputTokens + summary.usage.outputTokens;
      // Over the budget by about one progress report (256 tokens, plus chunks already received when
      // the cut lands), far from the full reply's 4,442 tokens on top of the prompt.
      expect(used).toBeGreaterThanOrEqual(2_000);
      expect(used).toBeLessThan(2_000 + 512);
      expect(summary.usage.outputTokens).toBeGreaterThan(0);
      expect(runaway.requests.filter((b) => b !== '')).toHaveLength(1);
    } finally {
      await runaway.close();
    }
  }, 120_000);
});

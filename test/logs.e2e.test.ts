import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

// Operational logs (issue 18 point 5): with CAID_LOG_LEVEL=debug a run writes pino JSON lines on
// stderr next to the human progress lines; they carry level, msg and the run id, and no secret.
const SECRET = 'sk-caid-logs-SECRET-48213';
const OTHER = 'deploy-token-value-991';
let model: ScriptedModelServer;
let dir: string;
beforeAll(async () => {
  model = await startScriptedModel({ rules: [{ when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: 'x\n' })(c) }] });
  dir = tempDir();
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

async function run(n: number, extra: string[], env: Record<string, string>) {
  const repo = makeRepo(path.join(dir, `repo-${n}`), { 'a.txt': 'a\n' });
  const plan = path.join(dir, `plan-${n}.yaml`);
  writeFileSync(plan, 'goal: two files\ntasks:\n  - { id: one, prompt: p }\n  - { id: two, prompt: p }\n');
  return runCli(['run', '--plan', plan, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, `wt-${n}`), '--json', ...extra], { env });
}

describe('operational logs', () => {
  it('CAID_LOG_LEVEL=debug: JSON lines with level, msg and runId; no secret from the environment', async () => {
    const r = await run(1, [], { CAID_LOG_LEVEL: 'debug', OPENAI_API_KEY: SECRET, DEPLOY_TOKEN: OTHER });
    expect(r.code, r.stderr).toBe(0);
    const runId = (JSON.parse(r.stdout) as { runId: string }).runId;
    const records = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(3);
    for (const rec of records) {
      expect(typeof rec.level).toBe('number');
      expect(typeof rec.msg).toBe('string');
      expect(typeof rec.time).toBe('string');
    }
    expect(records.find((x) => x.msg === 'run finished')).toMatchObject({ runId, component: 'orchestrator', status: 'succeeded' });
    const started = records.filter((x) => x.msg === 'task started');
    expect(started.map((x) => x.taskId).sort()).toEqual(['one', 'two']);
    expect(started.every((x) => x.runId === runId && x.level === 20)).toBe(true);
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).not.toContain(OTHER);
  }, 120_000);

  it('is quiet by default and pretty on request; a bad level is bad input', async () => {
    const quiet = await run(2, [], { OPENAI_API_KEY: SECRET });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
    const pretty = await run(3, ['--log-format', 'pretty'], { CAID_LOG_LEVEL: 'debug' });
    expect(pretty.code, pretty.stderr).toBe(0);
    expect(pretty.stderr).toMatch(/^\d\d:\d\d:\d\d DEBUG worker: task started {2}.*taskId=one/m);
    const bad = await runCli(['status', '--repo', dir], { env: { CAID_LOG_LEVEL: 'loud' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/CAID_LOG_LEVEL="loud" is not one of/);
  }, 120_000);
});

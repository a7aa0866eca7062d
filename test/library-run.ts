import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startScriptedModel } from '@caid/llm/testing';
import { makeRepo, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

export interface LibraryRun { code: number | null; stderr: string; summary: any; events: any[] }

/**
 * `caid run` of `plan` (YAML) on a fresh repository holding `lib`, one worker, against a scripted
 * model whose agent for each task id writes that task's files at its first step (the gate-* e2e
 * tests' synthetic libraries). Returns the exit code, stderr, the JSON summary and the run's events.
 */
export async function runLibraryPlan(lib: Record<string, string>, writes: Record<string, Record<string, string>>, plan: string): Promise<LibraryRun> {
  const model = await startScriptedModel({ rules: Object.entries(writes).map(([id, files]) => ({ when: (c) => taskOf(c) === id, reply: writesFiles(files) })) });
  try {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), lib);
    writeFileSync(path.join(dir, 'plan.yaml'), plan);
    const res = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--workers', '1', '--json']);
    const summary = JSON.parse(res.stdout);
    const events = readFileSync(path.join(repo, `.caid/runs/${summary.runId}/events.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    return { code: res.code, stderr: res.stderr, summary, events };
  } finally {
    await model.close();
  }
}

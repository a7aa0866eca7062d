import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Conversation, ScriptedReply } from '@caid/llm/testing';
import { makeRepo, runCli, tempDir } from './cli-harness.js';

// The Python package, scripted-agent steps and run of the merge-queue e2e tests
// (merge-queue.e2e.test.ts, merge-queue-red-base.e2e.test.ts): each scenario adds its own tasks,
// plan and assertions on top of these.

/** `def name(): return value` as a module. */
export const defs = (name: string, value: number) => `def ${name}():\n    return ${value}\n`;
/** A pytest module asserting `name() == value`. */
export const testOf = (name: string, value: number) => `from lib.${name} import ${name}\n\ndef test_${name}():\n    assert ${name}() == ${value}\n`;

/** A package with two modules and their passing tests; scenarios add files to it. */
export const PYTHON_BASE: Readonly<Record<string, string>> = {
  '.gitignore': '__pycache__/\n.pytest_cache/\n',
  'lib/__init__.py': '',
  'lib/one.py': defs('one', 1),
  'lib/two.py': defs('two', 2),
  'tests/__init__.py': '',
  'tests/test_one.py': testOf('one', 1),
  'tests/test_two.py': testOf('two', 2),
};

/** True when the task was sent back by the verify (either gate's wording). */
export const sentBack = (c: Conversation) => /verify command|Tests that passed before your merge/.test(c.lastUser);
/** The reply for this step of the round; the last one repeats. */
export const steps = (c: Conversation, list: ScriptedReply[]) => list[Math.min(c.stepInRound, list.length - 1)]!;

export type QueueEvent = {
  type: string; taskId?: string; batch?: number; tasks?: string[]; accepted?: boolean; probe?: boolean; culprit?: string;
  landed?: string[]; commit?: string; mode?: string; newlyFailing?: string[]; output?: string;
};

export interface QueueRun {
  repo: string;
  code: number | null;
  stderr: string;
  summary: { runId: string; status: string; branch: string; tasks: { id: string; status: string; attempts: number; conflicts: number }[] };
  events: QueueEvent[];
}

/** `caid run --json` of `plan` on a fresh repository holding `files`, with the run's summary and log. */
export async function runQueued(files: Record<string, string>, plan: string, modelUrl: string, flags: string[]): Promise<QueueRun> {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), files);
  writeFileSync(path.join(dir, 'plan.yaml'), plan);
  const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', modelUrl,
    '--worktree-root', path.join(dir, 'wt'), ...flags, '--json']);
  const summary = JSON.parse(r.stdout) as QueueRun['summary'];
  const events = readFileSync(path.join(repo, `.caid/runs/${summary.runId}/events.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as QueueEvent);
  return { repo, code: r.code, stderr: r.stderr, summary, events };
}

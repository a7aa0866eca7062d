import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll } from 'vitest';
import type { Conversation, ScriptedReply } from '@caid/llm/testing';
import { makeRepo, runCli, taskOf, tempDir, type CliResult } from './cli-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

export interface KillAndResume {
  repo: string;
  runId: string;
  /** `caid run`, killed with -9 after the kill point when it got there. */
  first: CliResult;
  killed: boolean;
  /** `caid resume <id> --json` when the run was killed. */
  resumed?: CliResult;
}

/**
 * The fault-injection e2e tests' scenario. Registers the file's scripted model (each task's
 * rounds answered by `reply`) and writes `plan` once; returns `scenario(kill?)`, which runs the
 * plan on a fresh repository holding `files` with `CAID_FAULT_KILL_AFTER=kill` (none: an
 * uninterrupted reference run) and, when the run was killed, resumes it with the same flags.
 */
export function killAndResume(o: { name: string; plan: string; files: Record<string, string>; reply: (c: Conversation) => ScriptedReply; workers: number; flags?: string[] }) {
  const model = scriptedModelForFile([{ when: (c) => Boolean(taskOf(c)), reply: o.reply }]);
  let planFile: string;
  beforeAll(() => {
    planFile = path.join(tempDir(), 'plan.yaml');
    writeFileSync(planFile, o.plan);
  });
  const common = (repo: string) => ['--repo', repo, '--model', 'm', '--base-url', model.server.url, ...(o.flags ?? [])];
  return async function scenario(kill?: string): Promise<KillAndResume> {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), o.files);
    const runId = `${o.name}-${(kill ?? 'none').replace(/[.:]/g, '-')}`;
    const first = await runCli(['run', '--plan', planFile, '--run-id', runId, '--workers', String(o.workers), '--worktree-root', path.join(dir, 'wt'), ...common(repo)],
      { env: kill ? { CAID_FAULT_KILL_AFTER: kill } : {} });
    const killed = first.signal === 'SIGKILL';
    const resumed = killed ? await runCli(['resume', runId, '--json', ...common(repo)]) : undefined;
    return { repo, runId, first, killed, resumed };
  };
}

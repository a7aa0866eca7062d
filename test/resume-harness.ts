import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Conversation, ScriptedReply } from '@caid/llm/testing';
import { call, runCli, taskOf, type CliResult } from './cli-harness.js';
import { setup } from './runtime-harness.js';

export type LoggedEvent = { type: string; taskId?: string; [k: string]: unknown };

/** The run's log as written, one object per line. */
export const eventsOf = (repo: string, runId: string): LoggedEvent[] =>
  readFileSync(path.join(repo, '.caid', 'runs', runId, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LoggedEvent);

/** The events a resumed session wrote (everything after the last `run.resumed`). */
export function afterResume(events: LoggedEvent[]): LoggedEvent[] {
  const at = events.map((e) => e.type).lastIndexOf('run.resumed');
  expect(at, 'the log has a run.resumed event').toBeGreaterThanOrEqual(0);
  return events.slice(at + 1);
}

export interface KilledRun extends ReturnType<typeof setup> {
  runId: string;
  first: CliResult;
  /** `caid resume <id> --repo … --json` with no other flags (unless given); the summary parsed. */
  resume(extra?: string[]): Promise<CliResult & { summary?: { status: string; tasks: { id: string; status: string }[] } }>;
  events(): LoggedEvent[];
}

/**
 * Starts `caid run` on a fresh repository with `args` (the settings under test) and kills it with
 * SIGKILL right after the log's `point` event (`CAID_FAULT_KILL_AFTER`, e.g. `task.step:1`): an
 * exact, repeatable interrupt. The resume that follows gets no setting flags, so whatever it does
 * comes from the log.
 */
export async function killedAt(point: string, planYaml: string, args: string[], o: { files?: Record<string, string>; env?: Record<string, string>; before?: (s: ReturnType<typeof setup>) => void } = {}): Promise<KilledRun> {
  const s = setup(planYaml, o.files);
  o.before?.(s);
  const runId = `resume-${point.replace(/[.:]/g, '-')}`;
  const first = await runCli(['run', '--plan', s.plan, '--repo', s.repo, '--worktree-root', s.wt, '--run-id', runId, '--json', ...args],
    { env: { ...o.env, CAID_FAULT_KILL_AFTER: point } });
  expect(first.signal, `the first session should be killed after ${point}:\n${first.stderr}`).toBe('SIGKILL');
  return {
    ...s,
    runId,
    first,
    resume: (extra = []) => runCli(['resume', runId, '--repo', s.repo, '--json', ...extra], { env: o.env })
      .then((r) => ({ ...r, summary: r.stdout ? JSON.parse(r.stdout) : undefined })),
    events: () => eventsOf(s.repo, runId),
  };
}

const sortedUnion = (text: string, line: string) => `${[...new Set([...text.split('\n'), line].filter((l) => l && !/^(<<<<<<<|=======|>>>>>>>)/.test(l)))].sort().join('\n')}\n`;

/** A conflict round on shared.txt: reads it, keeps every side's lines (sorted, markers dropped) plus `line from <task>`, finishes. */
export function resolvesSharedTxt(c: Conversation): ScriptedReply {
  const union = sortedUnion(c.lastToolResult ?? '', `line from ${taskOf(c)}`);
  return [call('read_file', { path: 'shared.txt' }), call('write_file', { path: 'shared.txt', content: union }), call('finish', { summary: 'resolved' })][Math.min(c.stepInRound, 2)]!;
}

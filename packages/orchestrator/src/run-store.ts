import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { InputError, RUN_ID, type RunState } from '@caid/core';
import { RunLog } from './run-log.js';
import { logger } from '@caid/log';

const oplog = logger('orchestrator');

export const runsDir = (repoRoot: string) => path.join(repoRoot, '.caid', 'runs');

/**
 * Run ids in the repository, oldest first. Generated run ids sort by their start time to the
 * second; runs whose ids share that second (or a longer common start) are put in the order their
 * logs began.
 */
export function listRunIds(repoRoot: string): string[] {
  const dir = runsDir(repoRoot);
  if (!existsSync(dir)) return [];
  const ids = readdirSync(dir).filter((d) => RUN_ID.test(d) && existsSync(path.join(dir, d, 'events.jsonl')));
  const began = new Map<string, number>();
  const startOf = (id: string) => {
    if (!began.has(id)) began.set(id, firstEventTime(path.join(dir, id, 'events.jsonl')));
    return began.get(id)!;
  };
  const second = (id: string) => id.slice(0, 15);
  return ids.sort((a, b) => second(a).localeCompare(second(b)) || startOf(a) - startOf(b) || a.localeCompare(b));
}

/** When a run log's first event was written (0 if unreadable). */
function firstEventTime(file: string): number {
  try {
    const first = readFileSync(file, 'utf8').split('\n', 1)[0]!;
    return Date.parse((JSON.parse(first) as { at?: string }).at ?? '') || 0;
  } catch (err) {
    oplog.debug({ err, file }, 'run log unreadable: its start time counts as 0');
    return 0;
  }
}

/** The folded state of a run; the newest run when no id is given. */
export function loadRunState(repoRoot: string, runId?: string): RunState {
  const ids = listRunIds(repoRoot);
  const id = runId ?? ids.at(-1);
  if (!id) throw new InputError(`no caid runs in ${repoRoot}`);
  if (!ids.includes(id)) throw new InputError(`no run "${id}" in ${repoRoot}; known runs: ${ids.join(', ') || 'none'}`);
  return RunLog.open(repoRoot, id).current;
}

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { InputError, RUN_ID, type RunState } from '@caid/core';
import { RunLog } from './run-log.js';

export const runsDir = (repoRoot: string) => path.join(repoRoot, '.caid', 'runs');

/** Run ids in the repository, oldest first (run ids sort by their start time). */
export function listRunIds(repoRoot: string): string[] {
  const dir = runsDir(repoRoot);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((d) => RUN_ID.test(d) && existsSync(path.join(dir, d, 'events.jsonl'))).sort();
}

/** The folded state of a run; the newest run when no id is given. */
export function loadRunState(repoRoot: string, runId?: string): RunState {
  const ids = listRunIds(repoRoot);
  const id = runId ?? ids.at(-1);
  if (!id) throw new InputError(`no caid runs in ${repoRoot}`);
  if (!ids.includes(id)) throw new InputError(`no run "${id}" in ${repoRoot}; known runs: ${ids.join(', ') || 'none'}`);
  return RunLog.open(repoRoot, id).current;
}

import type { RunEvent } from './events.js';
import type { RunState } from './reduce.js';
import type { RunSettings } from './run-settings.js';

/** What a run's drive reads to start its worktrees, jobs and gate. */
export interface RunInputs {
  workers: number;
  verify?: string;
  setup?: string;
  worktreeRoot: string;
}

/**
 * The run's recorded settings (as the last resume left them) are the one source a run and a
 * resume read. A log written before caid recorded settings has only `run.started`'s own fields,
 * which said the same thing then.
 */
export function runInputs(s: RunState): RunInputs {
  const r = s.settings;
  const from = r ? { workers: r.workers, verify: r.verify, setup: r.setup, worktreeRoot: r.worktreeRoot ?? s.worktreeRoot } : s;
  return {
    workers: from.workers, worktreeRoot: from.worktreeRoot,
    ...(from.verify ? { verify: from.verify } : {}), ...(from.setup ? { setup: from.setup } : {}),
  };
}

/**
 * The settings `run.started` recorded, as the run used them. Logs written before settings held the
 * plan's own verify and setup recorded only the flag's and the config's there; `run.started`'s own
 * `verify` and `setup` were always what the run used (and new logs write the same value in both).
 */
export function startedSettings(e: Extract<RunEvent, { type: 'run.started' }>): RunSettings | undefined {
  if (!e.settings) return undefined;
  const { verify: _v, setup: _s, ...rest } = e.settings;
  return { ...rest, ...(e.verify ? { verify: e.verify } : {}), ...(e.setup ? { setup: e.setup } : {}) };
}

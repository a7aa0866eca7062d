import { createLogUpdate } from 'log-update';
import type { RunEvent, RunState } from '@caid/core';
import { progressLine } from './progress-printer.js';
import { renderLiveView } from './live-view.js';

export interface ProgressReporter {
  onEvent(e: RunEvent, s: RunState): void;
  /** A line for the human, kept above the live frame; shown even with --quiet (e.g. the dashboard's address). */
  note(line: string): void;
  /** Draws the last frame for good and stops the clock. */
  stop(): void;
}

// What scrolls above the live frame: what happened, not each agent step.
const LOGGED = new Set<RunEvent['type']>([
  'run.started', 'run.gate', 'task.gate', 'task.merged', 'task.conflict', 'task.verify-failed', 'task.reopened', 'task.failed', 'task.skipped',
  'plan.revised', 'run.step', 'run.finished',
]);

/**
 * How `caid run` shows progress on stderr: nothing with --quiet; in a terminal, a live frame
 * (log-update) redrawn on every event and each second, with notable events scrolling above it;
 * elsewhere (CI, a pipe, a file) the plain progress lines.
 */
export function progressReporter(o: { quiet?: boolean; stream?: NodeJS.WriteStream; live?: boolean } = {}): ProgressReporter {
  const out = o.stream ?? process.stderr;
  if (o.quiet) return { onEvent: () => undefined, note: (line) => out.write(`${line}\n`), stop: () => undefined };
  if (!(o.live ?? out.isTTY)) {
    return {
      onEvent: (e, s) => { const line = progressLine(e, s); if (line) out.write(`${line}\n`); },
      note: (line) => out.write(`${line}\n`),
      stop: () => undefined,
    };
  }
  const draw = createLogUpdate(out);
  let state: RunState | undefined;
  const render = () => { if (state) draw(renderLiveView(state, { now: Date.now(), columns: out.columns || 100, rows: out.rows || 30 })); };
  const clock = setInterval(render, 1000);
  clock.unref();
  return {
    onEvent: (e, s) => {
      state = s;
      const line = LOGGED.has(e.type) ? progressLine(e, s) : null;
      if (line) draw.persist(line);
      render();
    },
    note: (line) => { draw.persist(line); render(); },
    stop: () => { clearInterval(clock); render(); draw.done(); },
  };
}

import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RunEventSchema, initialState, reduceOwned, runDir, type NewRunEvent, type RunEvent, type RunState } from '@caid/core';

export const eventsFile = (repoRoot: string, runId: string) => path.join(repoRoot, runDir(runId), 'events.jsonl');

/**
 * The append-only run log: the only source of truth for a run. Each append is one synchronous
 * write of one line, so a killed process leaves at most a torn last line, which reading skips.
 */
export class RunLog {
  private state: RunState;

  private constructor(readonly file: string, events: RunEvent[]) {
    this.state = events.reduce(reduceOwned, initialState());
  }

  static create(repoRoot: string, runId: string): RunLog {
    const file = eventsFile(repoRoot, runId);
    mkdirSync(path.dirname(file), { recursive: true });
    return new RunLog(file, []);
  }

  static open(repoRoot: string, runId: string): RunLog {
    return new RunLog(eventsFile(repoRoot, runId), readEvents(eventsFile(repoRoot, runId)));
  }

  get current(): RunState {
    return this.state;
  }

  append(e: NewRunEvent): { event: RunEvent; state: RunState } {
    const event = { ...e, at: new Date().toISOString() } as RunEvent;
    appendFileSync(this.file, `${JSON.stringify(event)}\n`);
    // The log owns its fold, so it updates it in place (O(1), not O(tasks), per event; see reduceOwned):
    // a state handed out earlier shares its `tasks` record with the latest one.
    this.state = reduceOwned(this.state, event);
    return { event, state: this.state };
  }
}

export function readEvents(file: string): RunEvent[] {
  if (!existsSync(file)) return [];
  const events: RunEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue; // torn write at the end of a killed run
    }
    const parsed = RunEventSchema.safeParse(raw);
    if (parsed.success) events.push(parsed.data);
  }
  return events;
}

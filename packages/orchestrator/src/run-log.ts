import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { RunError, RunEventSchema, initialState, reduceOwned, runDir, type NewRunEvent, type RunEvent, type RunState } from '@caid/core';
import { JsonlFile } from '@caid/log';

export const eventsFile = (repoRoot: string, runId: string) => path.join(repoRoot, runDir(runId), 'events.jsonl');

/**
 * The append-only run log: the only source of truth for a run. Each append is one synchronous
 * write of one line, so a killed process leaves at most a torn last line, which reading skips.
 */
export class RunLog {
  private state: RunState;
  private readonly faults = faultInjection(process.env.CAID_FAULT_KILL_AFTER);

  private readonly lines: JsonlFile;

  /** `secrets`: values redacted from every line this run writes (the run log, transcripts it relays). */
  private constructor(readonly file: string, events: RunEvent[], readonly secrets: readonly string[] = []) {
    this.lines = new JsonlFile(file, secrets);
    this.state = events.reduce(reduceOwned, initialState());
  }

  /** `secrets`: values (API keys) scrubbed from every event before it is written. */
  static create(repoRoot: string, runId: string, secrets?: readonly string[]): RunLog {
    const file = eventsFile(repoRoot, runId);
    mkdirSync(path.dirname(file), { recursive: true });
    return new RunLog(file, [], secrets);
  }

  static open(repoRoot: string, runId: string, secrets?: readonly string[]): RunLog {
    const file = eventsFile(repoRoot, runId);
    return new RunLog(file, readEvents(file), secrets);
  }

  get current(): RunState {
    return this.state;
  }

  append(e: NewRunEvent): { event: RunEvent; state: RunState } {
    let event: RunEvent;
    try {
      // As written: secrets redacted (JsonlFile), so the fold holds what a reader of the log sees.
      [event] = this.lines.append({ ...e, at: new Date().toISOString() } as RunEvent) as [RunEvent];
    } catch (e) {
      const runId = path.basename(path.dirname(this.file));
      throw new RunError(`cannot write the run log ${this.file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the run stopped where its log ends. Free disk space or fix permissions, then \`caid resume ${runId}\``);
    }
    // The log owns its fold, so it updates it in place (O(1), not O(tasks), per event; see reduceOwned):
    // a state handed out earlier shares its `tasks` record with the latest one.
    this.state = reduceOwned(this.state, event);
    this.faults.after(event.type);
    return { event, state: this.state };
  }
}

export function readEvents(file: string): RunEvent[] {
  // A line torn by a killed run is skipped (JsonlFile): the only line that can be, and it never happened.
  const events: RunEvent[] = [];
  for (const raw of new JsonlFile(file).read()) {
    const parsed = RunEventSchema.safeParse(raw);
    if (parsed.success) events.push(parsed.data);
  }
  return events;
}

/**
 * Fault injection for the crash tests: `CAID_FAULT_KILL_AFTER=task.merged:3` kills this process
 * (SIGKILL, as `kill -9` would) right after the third `task.merged` event reaches the log, so
 * every resume path can be exercised at an exact, repeatable point. Unset, it costs nothing.
 */
function faultInjection(spec: string | undefined) {
  const [type, n] = spec?.split(':') ?? [];
  let seen = 0;
  return {
    after(eventType: string) {
      if (type && eventType === type && ++seen === Number(n)) process.kill(process.pid, 'SIGKILL');
    },
  };
}


import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, initialState, reduce, transcriptPath } from '@caid/core';
import { Repo } from '@caid/git';
import { eventsFile, listRuns, loadRunState, readEvents } from '@caid/orchestrator';
import { logger } from '@caid/log';
import { progressLine } from './progress-printer.js';

const clog = logger('cli');

export interface LogsFlags {
  repo: string;
  task?: string;
  json?: boolean;
}

/**
 * `caid logs [runId] [--task ID]`: what a run did, read back from its files. Without --task, the
 * progress lines `caid run` printed, replayed from the event log (--json: the events themselves);
 * with --task, that task's agent conversation. Both were written already redacted.
 */
export async function logsCommand(runId: string | undefined, f: LogsFlags): Promise<number> {
  const repo = await Repo.open(path.resolve(f.repo)).catch((err: unknown) => {
    clog.debug({ err, repo: f.repo }, 'cannot open the repository');
    throw new InputError(`${path.resolve(f.repo)} is not a git repository (pass --repo)`);
  });
  const state = loadRunState(repo.root, runId);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (f.task) {
    const file = path.join(repo.root, transcriptPath(state.runId, f.task));
    if (!existsSync(file)) {
      const known = state.order.filter((id) => existsSync(path.join(repo.root, transcriptPath(state.runId, id))));
      throw new InputError(`run ${state.runId} has no transcript for task "${f.task}"; ${known.length ? `tasks with one: ${known.join(', ')}` : 'no task has started yet'}`);
    }
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    if (f.json) for (const l of lines) out(l);
    else for (const l of lines) { const text = transcriptLine(l); if (text !== undefined) out(text); }
    return 0;
  }
  let s = initialState();
  for (const e of readEvents(eventsFile(repo.root, state.runId))) {
    s = reduce(s, e);
    if (f.json) out(JSON.stringify(e));
    // A resume is a note in the live output, not a progress line; replayed, it says where the second session began.
    else if (e.type === 'run.resumed') out(`${e.at.slice(11, 19)} run resumed${e.changed.length ? ` (changed: ${e.changed.join(', ')})` : ''}`);
    else { const line = progressLine(e, s); if (line) out(line); }
  }
  // A log that stops without run.finished is a live run or one nobody drives any more: say which.
  if (!f.json && s.status === 'running') {
    const live = listRuns(repo.root).find((r) => r.runId === state.runId)?.status !== 'interrupted';
    out(live ? `(run ${state.runId} is still going)` : `(run ${state.runId} was interrupted; continue it with: caid resume ${state.runId})`);
  }
  return 0;
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters; --json for all)` : text);

interface TranscriptEntry {
  t: string;
  at?: string;
  attempt?: number;
  round?: string;
  status?: string;
  reason?: string;
  message?: { role: string; content?: string | null; tool_calls?: { function: { name: string; arguments: string } }[]; tool_call_id?: string };
}

/** One transcript line for a reader: rounds as headings, messages by role, tool calls by name. */
function transcriptLine(raw: string): string | undefined {
  const e = JSON.parse(raw) as TranscriptEntry;
  const clock = e.at?.slice(11, 19) ?? '';
  if (e.t === 'round') return `\n── ${clock} attempt ${e.attempt}, ${e.round} round ──`;
  if (e.t === 'end') return `── ${clock} attempt ${e.attempt} ended: ${e.status}${e.reason ? ` (${e.reason})` : ''} ──`;
  if (e.t !== 'message' || !e.message) return undefined;
  const m = e.message;
  const calls = (m.tool_calls ?? []).map((c) => `  → ${c.function.name} ${cut(c.function.arguments, 300)}`);
  const content = m.content ? cut(m.content, m.role === 'tool' ? 1500 : 4000) : '';
  return [`[${m.role}] ${content}`.trimEnd(), ...calls].join('\n');
}

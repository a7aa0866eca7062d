import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ChatMessage } from '@caid/llm';
import { JsonlFile } from '@caid/log';

export type TranscriptRecord =
  | { t: 'round'; at: string; attempt: number; round: string }
  | { t: 'message'; at: string; message: ChatMessage }
  | { t: 'note'; at: string; text: string }
  | { t: 'end'; at: string; attempt: number; status: string; reason?: string; message?: string };

/**
 * A task's transcript (`.caid/runs/<runId>/tasks/<taskId>.jsonl`). It is also the conversation's
 * memory: a conflict round or a send-back replays its messages and continues the same dialogue.
 * Appends are synchronous so a crash never leaves a half-written line behind a later one.
 */
export class Transcript {
  /** `secrets`: values (API keys) replaced by [redacted] in every line before it is written. */
  private readonly lines: JsonlFile;

  constructor(readonly file: string, secrets: readonly string[] = []) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.lines = new JsonlFile(file, secrets);
  }

  append(r: DistributiveOmit<TranscriptRecord, 'at'>): void {
    this.lines.append({ ...r, at: new Date().toISOString() });
  }

  records(): TranscriptRecord[] {
    return this.lines.read() as TranscriptRecord[];
  }

  /**
   * The conversation to continue: the messages since the last first round began. A first round
   * rerun after a crash starts the conversation again, so the earlier, unfinished one is left out.
   */
  messages(): ChatMessage[] {
    const all = this.records();
    let from = 0;
    all.forEach((r, i) => { if (r.t === 'round' && r.round === 'start') from = i; });
    return all.slice(from).flatMap((r) => (r.t === 'message' ? [r.message] : []));
  }

  /** Whether round `attempt` already ended with its work committed (its result was lost in a crash). */
  endedDone(attempt: number): boolean {
    return this.records().some((r) => r.t === 'end' && r.attempt === attempt && r.status === 'done');
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

import { appendFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { sealTornLine } from './seal-torn-line.js';
import path from 'node:path';
import type { ChatMessage } from '@caid/llm';
import { redactText } from '@caid/core';
import { logger } from '@caid/log';

const wlog = logger('worker');

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
  constructor(readonly file: string, private readonly secrets: readonly string[] = []) {
    mkdirSync(path.dirname(file), { recursive: true });
    sealTornLine(file);
  }

  append(r: DistributiveOmit<TranscriptRecord, 'at'>): void {
    let line = JSON.stringify({ ...r, at: new Date().toISOString() });
    line = redactText(line, this.secrets);
    appendFileSync(this.file, `${line}\n`);
  }

  records(): TranscriptRecord[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as TranscriptRecord];
        } catch (err) {
          wlog.dropped('transcript line is not JSON (torn by a crash): skipped', { file: this.file })(err);
          return [];
        }
      });
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

import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { redactText } from '@caid/core';
import { logger } from './logger.js';

const llog = logger('log');

/**
 * One of caid's JSON-lines files (the run log, a task's transcript, the planner's conversations):
 * one record per line; every line goes through the one secret rule (core `redactText`: the given
 * values, URL credentials, token shapes) before it reaches the disk; appends are synchronous, so a
 * crash never leaves a half line behind a later one; and a line torn by an earlier crash (disk
 * full, kill -9) is ended before the first append, so the next record is not glued to it.
 */
export class JsonlFile {
  private ready = false;

  constructor(readonly file: string, private readonly secrets: readonly string[] = []) {}

  /**
   * Appends records, one line each, and returns them as written: the same objects when nothing
   * needed redacting, else parsed back from their redacted lines (what a reader will see).
   */
  append<T>(...records: T[]): T[] {
    if (!this.ready) {
      mkdirSync(path.dirname(this.file), { recursive: true });
      sealTornLine(this.file);
      this.ready = true;
    }
    const lines: string[] = [];
    const written = records.map((r) => {
      const raw = JSON.stringify(r);
      const line = redactText(raw, this.secrets);
      lines.push(line);
      return line === raw ? r : (JSON.parse(line) as T);
    });
    appendFileSync(this.file, lines.map((l) => `${l}\n`).join(''));
    return written;
  }

  /** Every record in the file; a line that is not JSON (torn by a crash) is skipped with a debug line. */
  read(): unknown[] {
    if (!existsSync(this.file)) return [];
    const out: unknown[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line));
      } catch (err) {
        llog.dropped('JSON-lines record is not JSON (torn by a crash): skipped', { file: this.file })(err);
      }
    }
    return out;
  }
}

/** Ends a last line a cut-short append left without its newline. */
function sealTornLine(file: string): void {
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  if (size === 0) return;
  const fd = openSync(file, 'r');
  const last = Buffer.alloc(1);
  try {
    readSync(fd, last, 0, 1, size - 1);
  } finally {
    closeSync(fd);
  }
  if (last[0] !== 0x0a) appendFileSync(file, '\n');
}

import { appendFileSync, closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/**
 * A JSONL append cut short (disk full, kill -9) leaves a last line without its newline; ending
 * it keeps the next record on a line of its own instead of gluing both into one unreadable line.
 */
export function sealTornLine(file: string): void {
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  if (size === 0) return;
  const fd = openSync(file, 'r');
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  closeSync(fd);
  if (last[0] !== 0x0a) appendFileSync(file, '\n');
}

import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { logger } from '@caid/log';

const oplog = logger('orchestrator');

/** Bytes a folder takes on disk (allocated blocks), not following links; hard-linked files count once. */
export function diskUsage(dir: string, seen = new Set<string>()): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (err) {
    oplog.debug({ err, dir }, 'disk usage: folder unreadable, counted as 0');
    return 0;
  }
  for (const name of entries) {
    const p = path.join(dir, name);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    total += st.blocks * 512;
    if (st.isDirectory()) total += diskUsage(p, seen);
  }
  return total;
}

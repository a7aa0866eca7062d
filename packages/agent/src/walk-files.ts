import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { logger } from '@caid/log';

const alog = logger('agent');

const SKIP = new Set(['.git', 'node_modules', '.venv', '__pycache__', '.caid', 'dist', '.turbo']);

/** Files under `dir` (relative to `root`), depth-first and sorted, skipping VCS and dependency folders. */
export async function* walkFiles(root: string, dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => { alog.debug({ err, dir }, 'folder unreadable: listed as empty'); return []; });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) yield* walkFiles(root, abs);
    } else if (e.isFile() || e.isSymbolicLink()) {
      yield path.relative(root, abs);
    }
  }
}

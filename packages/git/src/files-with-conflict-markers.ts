import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { logger } from '@caid/log';

const glog = logger('git');

// Only the opening and closing markers: a lone `=======` is also a markdown heading underline.
const MARKER = /^(?:<{7}|>{7}) /m;

/** The given repo-relative paths under `root` whose content still has conflict-marker lines. */
export async function filesWithConflictMarkers(root: string, paths: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const p of paths) {
    const abs = resolve(root, p);
    const rel = relative(root, abs);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    let text: string;
    try {
      text = await readFile(abs, 'utf8');
    } catch (err) {
      glog.dropped('conflicted path not read: deleted or a directory, nothing left to resolve in it', { path: abs })(err);
      continue;
    }
    if (MARKER.test(text)) hits.push(p);
  }
  return hits;
}

import { closeSync, constants, readdirSync, openSync } from 'node:fs';
import { at, closeOpened, openBeneath } from './open-beneath.js';

const SKIP = new Set(['.git', 'node_modules', '.venv', '__pycache__', '.caid', 'dist', '.turbo']);
const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = constants;

/**
 * Files under the folder `given` (relative to `realRoot`), depth-first and sorted, skipping VCS
 * and dependency folders. Symbolic links are listed, never entered: each folder is opened through
 * its parent's descriptor with O_NOFOLLOW, so a folder swapped for a link mid-walk is skipped.
 */
export function* walkFiles(realRoot: string, given: string): Generator<string> {
  const top = openBeneath(realRoot, given, 'dir');
  try {
    yield* walkFd(top.fd, top.rel === '.' ? '' : `${top.rel}/`);
  } finally {
    closeOpened(top);
  }
}

function* walkFd(dirfd: number, prefix: string): Generator<string> {
  const entries = readdirSync(at(dirfd, '.'), { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.isDirectory()) {
      if (SKIP.has(e.name)) continue;
      let fd: number;
      try {
        fd = openSync(at(dirfd, e.name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch {
        continue; // expected: swapped for a link or removed since readdir: not ours to follow
      }
      try {
        yield* walkFd(fd, `${prefix}${e.name}/`);
      } finally {
        closeSync(fd);
      }
    } else if (e.isFile() || e.isSymbolicLink()) {
      yield `${prefix}${e.name}`;
    }
  }
}

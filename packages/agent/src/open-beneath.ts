import {
  closeSync, constants, fchmodSync, fstatSync, ftruncateSync, lstatSync, mkdirSync, openSync, readlinkSync,
  readSync, renameSync, unlinkSync, writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PathEscapeError } from './confine-path.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW } = constants;
/** Links followed (inside the worktree) before giving up, as the kernel's own limit. */
const MAX_LINKS = 40;

/**
 * Node has no openat(2). `/proc/self/fd/N/name` is the same thing: the kernel jumps through the
 * magic link to the directory N is open on (not to a path that could be swapped), then looks up
 * `name` there, and O_NOFOLLOW refuses a final symlink. Every step below opens one component
 * this way, so a directory swapped for a symlink between two tool calls (or during one) is seen
 * as a symlink and never followed by the kernel.
 */
export const at = (dirfd: number, name: string) => `/proc/self/fd/${dirfd}/${name}`;

/** Whether this system has /proc fd links; without them tools fall back to check-then-open. */
export function hasProcFd(): boolean {
  try {
    return lstatSync('/proc/self/fd').isDirectory();
  } catch {
    // expected: no /proc (not Linux): the answer is no, and the fallback is documented above
    return false;
  }
}

type How = 'read' | 'write' | 'dir';

export interface Opened {
  /** The open descriptor: a regular file for read/write, a directory for dir. */
  fd: number;
  /** The parent directory's descriptor (root's own for the root); closed by `closeOpened`. */
  dirfd: number;
  /** Final component name in `dirfd` ('' for the root itself). */
  name: string;
  /** The path actually opened, relative to the root, after in-tree links ('.' for the root). */
  rel: string;
}

export function closeOpened(o: Opened): void {
  closeSync(o.fd);
  if (o.dirfd !== o.fd) closeSync(o.dirfd);
}

/** The worktree-relative form of a model-given path, refusing `..` out, other absolute paths and `.git`. */
export function lexicalRel(realRoot: string, given: string): string {
  const abs = path.resolve(realRoot, given);
  const rel = path.relative(realRoot, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new PathEscapeError(`path "${given}" is outside the worktree`);
  refuseGit(rel, given);
  return rel || '.';
}

function refuseGit(rel: string, given: string): void {
  if (rel.split('/')[0] === '.git') throw new PathEscapeError(`path "${given}" is inside .git, which tools may not touch`);
}

/**
 * Opens `given` beneath `realRoot` one component at a time, never letting the kernel follow a
 * symbolic link. A link met on the way is read and, only if its target stays inside the
 * worktree (and out of .git), the walk starts again from the root with the link replaced by its
 * target; a link that leads out is refused. `write` creates missing parent folders and the file.
 */
export function openBeneath(realRoot: string, given: string, how: How): Opened {
  let rel = lexicalRel(realRoot, given);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    const next = walk(realRoot, rel, given, how);
    if (typeof next !== 'string') return next;
    rel = next;
  }
  throw new PathEscapeError(`path "${given}" goes through more than ${MAX_LINKS} symbolic links`);
}

/** One walk from the root: the opened file, or the rewritten relative path when a link was met. */
function walk(realRoot: string, rel: string, given: string, how: How): Opened | string {
  refuseGit(rel, given);
  const parts = rel === '.' ? [] : rel.split('/').filter((p) => p && p !== '.');
  let dirfd = openSync(realRoot, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (parts.length === 0) {
    if (how !== 'dir') {
      closeSync(dirfd);
      throw new NoFileError(given);
    }
    return { fd: dirfd, dirfd, name: '', rel: '.' };
  }
  try {
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const last = i === parts.length - 1;
      const wantDir = !last || how === 'dir';
      let fd: number;
      try {
        fd = openComponent(dirfd, name, wantDir, how === 'write' && !last, last ? how : 'dir');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ELOOP' && code !== 'ENOTDIR' && code !== 'EMLINK') throw e;
        const target = linkTarget(dirfd, name);
        if (target === null) {
          if (code === 'ENOTDIR' || !wantDir) throw new NoFileError(given);
          throw e;
        }
        closeSync(dirfd);
        dirfd = -1;
        return rewrite(realRoot, parts.slice(0, i), target, parts.slice(i + 1), given);
      }
      if (last) {
        const info = fstatSync(fd);
        if (how !== 'dir' && !info.isFile()) {
          closeSync(fd);
          throw new NoFileError(given);
        }
        return { fd, dirfd, name, rel: parts.join('/') };
      }
      closeSync(dirfd);
      dirfd = fd;
    }
  } catch (e) {
    if (dirfd >= 0) closeSync(dirfd);
    throw e;
  }
  throw new Error('unreachable');
}

function openComponent(dirfd: number, name: string, wantDir: boolean, createDir: boolean, how: How): number {
  if (wantDir) {
    try {
      return openSync(at(dirfd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (e) {
      if (!createDir || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // mkdir never follows a final symlink (EEXIST), so a planted link is met by the next open.
      try {
        mkdirSync(at(dirfd, name));
      } catch (m) {
        if ((m as NodeJS.ErrnoException).code !== 'EEXIST') throw m;
      }
      return openSync(at(dirfd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    }
  }
  // O_CREAT with O_NOFOLLOW on a dangling link fails with ELOOP rather than creating its target.
  return how === 'write' ? openSync(at(dirfd, name), O_WRONLY | O_CREAT | O_NOFOLLOW, 0o666) : openSync(at(dirfd, name), O_RDONLY | O_NOFOLLOW);
}

/** The link's target, or null if `name` is not (or no longer) a link. */
function linkTarget(dirfd: number, name: string): string | null {
  try {
    return readlinkSync(at(dirfd, name));
  } catch {
    // expected: EINVAL, not a link (a file where a folder was expected); ENOENT: it vanished. Either way the caller reports it.
    return null;
  }
}

function rewrite(realRoot: string, before: string[], target: string, after: string[], given: string): string {
  const joined = path.isAbsolute(target)
    ? path.relative(realRoot, path.resolve(target, ...after))
    : path.relative(realRoot, path.resolve(realRoot, ...before, target, ...after));
  if (joined.startsWith('..') || path.isAbsolute(joined)) {
    throw new PathEscapeError(`path "${given}" leads outside the worktree through a symbolic link`);
  }
  return joined || '.';
}

/** Thrown when the path names no regular file (or folder, for `dir`); tools turn it into an answer. */
export class NoFileError extends Error {
  override readonly name = 'NoFileError';
  constructor(readonly given: string) {
    super(`no file at "${given}"`);
  }
}

export function readBeneath(realRoot: string, given: string, max = Infinity): { text: string; size: number; rel: string } {
  const o = openBeneath(realRoot, given, 'read');
  try {
    const size = fstatSync(o.fd).size;
    const want = Math.min(size, max);
    const buf = Buffer.alloc(want);
    let off = 0;
    while (off < want) {
      const n = readSync(o.fd, buf, off, want - off, off);
      if (n === 0) break;
      off += n;
    }
    return { text: buf.subarray(0, off).toString('utf8'), size, rel: o.rel };
  } finally {
    closeOpened(o);
  }
}

/**
 * Writes `content` to `given` beneath the root. A file with more than one hard link (a `share`
 * in hardlink mode, or a link the agent made) is replaced, not written through: the new content
 * goes to a fresh file in the same folder, renamed over the name, so the other links — the
 * user's own files — keep their content.
 */
export function writeBeneath(realRoot: string, given: string, content: string): { rel: string } {
  const o = openBeneath(realRoot, given, 'write');
  try {
    const info = fstatSync(o.fd);
    if (info.nlink <= 1) {
      ftruncateSync(o.fd, 0);
      writeAll(o.fd, Buffer.from(content));
      return { rel: o.rel };
    }
    const tmp = `.caid-write-${randomBytes(6).toString('hex')}`;
    const fd = openSync(at(o.dirfd, tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      writeAll(fd, Buffer.from(content));
      fchmodSync(fd, info.mode & 0o7777);
    } catch (e) {
      closeSync(fd);
      unlinkSync(at(o.dirfd, tmp));
      throw e;
    }
    closeSync(fd);
    renameSync(at(o.dirfd, tmp), at(o.dirfd, o.name));
    return { rel: o.rel };
  } finally {
    closeOpened(o);
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, off);
}

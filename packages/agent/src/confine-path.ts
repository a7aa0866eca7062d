import { realpathSync, existsSync, lstatSync } from 'node:fs';
import path from 'node:path';

/** Thrown when a tool is asked for a path outside its directory; the model reads the message. */
export class PathEscapeError extends Error {
  override readonly name = 'PathEscapeError';
}

/**
 * Resolves a model-given path inside `root`, refusing anything that leaves it: `..`, absolute
 * paths elsewhere, symlinks pointing out, and the `.git` entry (worktree metadata is caid's).
 */
export function confinePath(root: string, given: string): string {
  const realRoot = realpathSync(root);
  const abs = path.resolve(realRoot, given);
  const rel = path.relative(realRoot, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new PathEscapeError(`path "${given}" is outside the worktree`);
  if (rel.split(path.sep)[0] === '.git') throw new PathEscapeError(`path "${given}" is inside .git, which tools may not touch`);
  // Follow symlinks on the part of the path that exists: a link may point out of the worktree.
  let probe = abs;
  while (!existsSync(probe) && probe !== realRoot) {
    // A dangling link would be followed by a write and create its target, wherever that is.
    if (isLink(probe)) throw new PathEscapeError(`path "${given}" is a symbolic link to nothing; tools do not follow it`);
    probe = path.dirname(probe);
  }
  const real = realpathSync(probe);
  const realRel = path.relative(realRoot, real);
  if (realRel.startsWith('..') || path.isAbsolute(realRel)) {
    throw new PathEscapeError(`path "${given}" leads outside the worktree through a symbolic link`);
  }
  return abs;
}

export const relativeTo = (root: string, abs: string) => path.relative(realpathSync(root), abs) || '.';

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    // expected: nothing there (yet): a path that does not exist is not a link
    return false;
  }
}

import { accessSync, constants, mkdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '@caid/core';

/**
 * Makes the worktree root (and any missing parent) and returns its real path, or says why it
 * cannot be used (exit 2). Folders are made one at a time, not with `mkdir -p`: Node's recursive
 * mkdir never returns under a pseudo file system such as /proc (it spins at 100% CPU and, being
 * synchronous, never sees SIGTERM), where a plain mkdir fails at once.
 */
export function prepareWorktreeRoot(dir: string): string {
  const absolute = path.resolve(dir);
  const missing: string[] = [];
  let at = absolute;
  while (!statSync(at, { throwIfNoEntry: false })) {
    missing.unshift(at);
    at = path.dirname(at);
  }
  const fail = (why: string) => new InputError(`cannot use worktree root ${absolute}: ${why}; pass --worktree-root DIR (or worktreeRoot in caid.config.yaml) naming a folder you can write`);
  if (!statSync(at).isDirectory()) throw fail(`${at} is not a folder`);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      throw fail(`cannot create ${d} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  try {
    accessSync(absolute, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw fail(`it is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return realpathSync(absolute);
}

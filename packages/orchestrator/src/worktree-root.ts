import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, mkdirSync, openSync, realpathSync, statSync, unlinkSync } from 'node:fs';
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
  while (!existing(at)) {
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

/**
 * Whether `prepareWorktreeRoot(dir)` would succeed, for `caid doctor`, leaving nothing behind: the
 * root, or its nearest existing ancestor where caid would create it, takes a probe file that is
 * removed at once (a read-only file system or a folder of someone else's fails that, whoever asks).
 */
export function checkWorktreeRoot(dir: string): { ok: boolean; detail: string } {
  const absolute = path.resolve(dir);
  let at = absolute;
  while (!existing(at)) at = path.dirname(at);
  const where = at === absolute ? absolute : `${absolute} (not there yet; caid creates it in ${at})`;
  if (!statSync(at).isDirectory()) return { ok: false, detail: `${where}: ${at} is not a folder` };
  const probe = path.join(at, `.caid-doctor-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (e) {
    return { ok: false, detail: `${where} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  unlinkSync(probe);
  return { ok: true, detail: `${where} is writable` };
}

/** The entry at `p`, or undefined when nothing is there (also when a parent is a file: ENOTDIR, which statSync throws). */
function existing(p: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined; // expected: the path is not there
    throw e;
  }
}

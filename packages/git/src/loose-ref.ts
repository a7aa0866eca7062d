import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The sha in a branch's loose ref file (`<commonDir>/refs/heads/<branch>`), or undefined when
 * there is none (a packed or missing branch, a symbolic ref): the caller then asks git. git
 * replaces the file by an atomic rename, so a read sees the old or the new head, never half of
 * one. Reading it costs no process, and every merge and every task start reads the
 * integration head.
 */
export function readLooseRef(commonDir: string, branch: string): string | undefined {
  if (branch.split('/').some((part) => part === '' || part === '.' || part === '..')) return undefined;
  try {
    const text = readFileSync(path.join(commonDir, 'refs', 'heads', ...branch.split('/')), 'utf8').trim();
    return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

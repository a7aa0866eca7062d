import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The sha in a branch's loose ref file (`<commonDir>/refs/heads/<branch>`); null when there is no
 * such file (the branch is packed or missing), undefined when git must be asked (a symbolic ref,
 * a name that is no plain path). git
 * replaces the file by an atomic rename, so a read sees the old or the new head, never half of
 * one. Reading it costs no process, and every merge and every task start reads the
 * integration head.
 */
export function readLooseRef(commonDir: string, branch: string): string | null | undefined {
  if (branch.split('/').some((part) => part === '' || part === '.' || part === '..')) return undefined;
  try {
    const text = readFileSync(path.join(commonDir, 'refs', 'heads', ...branch.split('/')), 'utf8').trim();
    return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(text) ? text : undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
  }
}

import { spawnSync } from 'node:child_process';
import { lstatSync } from 'node:fs';
import path from 'node:path';

export type SandboxKind = 'none' | 'bwrap';

/**
 * The bubblewrap prefix for a command: the whole file system read-only, the worktree and the
 * task's scratch folder writable, fresh /dev and /tmp, no network (own net namespace), and its own
 * PID namespace with a fresh /proc: the agent sees none of caid's processes (nor their environment,
 * which holds the API key), and every process it starts dies with the command. A worktree's `.git`
 * pointer file stays read-only, so the agent cannot point caid's git at a repository it made.
 */
export function bwrapPrefix(writable: readonly string[], readOnly: readonly string[] = []): string[] {
  return [
    'bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--tmpfs', '/tmp',
    ...writable.flatMap((d) => ['--bind', d, d, ...(isFile(path.join(d, '.git')) ? ['--ro-bind', path.join(d, '.git'), path.join(d, '.git')] : [])]),
    // Folders inside a writable one that must stay read-only: hard-linked shares, whose files are the user's own.
    ...readOnly.flatMap((d) => (exists(d) ? ['--ro-bind', d, d] : [])),
    '--unshare-net', '--unshare-ipc', '--unshare-pid', '--proc', '/proc', '--die-with-parent', '--',
  ];
}

function exists(p: string): boolean {
  return lstatSync(p, { throwIfNoEntry: false }) !== undefined;
}

function isFile(p: string): boolean {
  try {
    return lstatSync(p).isFile();
  } catch {
    // expected: no `.git` file: a plain checkout, nothing to protect
    return false;
  }
}

/**
 * Why the sandbox cannot be used here, or null when it works. Checked once before a run starts:
 * a run that asked for a sandbox must never fall back to running without one.
 */
export function sandboxProblem(kind: SandboxKind): string | null {
  if (kind !== 'bwrap') return null;
  const r = spawnSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-net', '--', 'true'], { stdio: 'pipe', timeout: 20_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return 'sandbox "bwrap" was asked for, but bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)';
  }
  if (r.status !== 0) {
    return `sandbox "bwrap" was asked for, but bubblewrap cannot create namespaces here: ${r.stderr.toString().trim() || `exit ${r.status}`} (unprivileged user namespaces may be disabled, e.g. inside a container)`;
  }
  return null;
}

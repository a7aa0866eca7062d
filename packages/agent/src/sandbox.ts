import { spawnSync } from 'node:child_process';

export type SandboxKind = 'none' | 'bwrap';

/**
 * The bubblewrap prefix for a command: the whole file system read-only, the worktree and the
 * task's scratch folder writable, fresh /dev, /proc and /tmp, and no network (own net namespace).
 */
export function bwrapPrefix(writable: readonly string[]): string[] {
  return [
    'bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp',
    ...writable.flatMap((d) => ['--bind', d, d]),
    '--unshare-net', '--unshare-ipc', '--die-with-parent', '--',
  ];
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

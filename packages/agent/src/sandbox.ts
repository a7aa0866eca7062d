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
 * `visible` folders are bound read-only before the writable ones (they may contain them).
 */
export function bwrapPrefix(writable: readonly string[], readOnly: readonly string[] = [], visible: readonly string[] = []): string[] {
  return [
    'bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--tmpfs', '/tmp',
    // Read-only folders the fresh /tmp would hide: the main checkout (its git dir, symlinked shares) when it lives under /tmp.
    ...visible.flatMap((d) => (exists(d) ? ['--ro-bind', d, d] : [])),
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

/** What agent commands run under, and the one line that says so at the start of a run. */
export interface SandboxChoice {
  kind: SandboxKind;
  /** For stderr, once; absent when the user chose explicitly and got what they asked for. */
  notice?: string;
  /** Why an explicit `bwrap` cannot be honoured: the caller refuses to start (exit 2). */
  problem?: string;
}

/**
 * Decides the sandbox of a run. `auto` (the default) takes bwrap when a probe shows it works and
 * otherwise says plainly that commands run with the user's permissions. External agent CLIs never
 * run under bwrap: they need the network (their model, or caid's metering endpoint on the host)
 * and their own config in HOME, so an explicit `bwrap` with one is refused rather than ignored.
 */
export function chooseSandbox(setting: SandboxKind | 'auto', o: { external?: boolean } = {}): SandboxChoice {
  if (setting === 'none') return { kind: 'none' };
  if (o.external) {
    if (setting === 'bwrap') return { kind: 'none', problem: 'sandbox "bwrap" was asked for, but an external agent (--agent-command / --agent) runs outside bubblewrap: it needs the network and its own configuration; use the built-in agent for a sandboxed run, or pass --sandbox none' };
    return { kind: 'none', notice: 'warning: sandbox: none (auto): the external agent runs with your permissions (it is never put under bubblewrap)' };
  }
  const problem = sandboxProblem('bwrap');
  if (setting === 'bwrap') return problem ? { kind: 'none', problem } : { kind: 'bwrap' };
  if (!problem) return { kind: 'bwrap', notice: 'sandbox: bwrap (auto)' };
  const why = problem.replace(/^sandbox "bwrap" was asked for, but /, '').replace(/ \(.*$/, '');
  return { kind: 'none', notice: `warning: sandbox: none (auto: ${why}); agent commands run with your permissions (--sandbox none to silence)` };
}

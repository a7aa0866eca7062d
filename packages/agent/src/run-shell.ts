import { bwrapPrefix } from './sandbox.js';
import { runCommandTree, type CommandTreeResult } from './command-tree.js';

export type ShellResult = CommandTreeResult;

/** An agent's command output kept whole up to this size (then its last part). */
const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Runs an agent's (or a setup's, or a check's) shell command as a command tree (command-tree.ts):
 * its own process group, the scrubbed environment, and every process it started killed when it
 * ends, times out or is aborted (setsid and double forks included). Optionally under bubblewrap.
 */
export function runShell(
  command: string,
  o: {
    cwd: string; timeoutMs: number; env?: Record<string, string>; signal?: AbortSignal;
    /** Run under bubblewrap: no network, everything read-only except these folders. */
    sandbox?: { kind: 'bwrap'; writable: string[]; readOnly?: string[]; visible?: string[] };
  },
): Promise<ShellResult> {
  const argvPrefix = o.sandbox ? bwrapPrefix(o.sandbox.writable, o.sandbox.readOnly, o.sandbox.visible) : undefined;
  return runCommandTree(command, { cwd: o.cwd, timeoutMs: o.timeoutMs, env: o.env, signal: o.signal, argvPrefix, maxOutput: MAX_OUTPUT });
}

import { execa } from 'execa';
import { agentEnv } from './agent-env.js';
import { bwrapPrefix } from './sandbox.js';
import { COMMAND_TAG, killTagged, newCommandTag } from './kill-tagged.js';
import { logger } from '@caid/log';

const alog = logger('agent');

export interface ShellResult {
  exitCode: number | null;
  /** stdout and stderr interleaved as they were written. */
  output: string;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
}

/**
 * Runs a shell command in its own process group and kills the whole group on timeout or abort,
 * and when it ends every process tagged as started by it (setsid and double forks included), so a
 * test runner's children or a forgotten dev server never outlive the call.
 */
export async function runShell(
  command: string,
  o: {
    cwd: string; timeoutMs: number; env?: Record<string, string>; signal?: AbortSignal;
    /** Run under bubblewrap: no network, everything read-only except these folders. */
    sandbox?: { kind: 'bwrap'; writable: string[]; readOnly?: string[]; visible?: string[] };
  },
): Promise<ShellResult> {
  const started = Date.now();
  // Every process of this command inherits the tag, so one that left the process group is found too.
  const tag = newCommandTag();
  const options = {
    cwd: o.cwd, env: { ...agentEnv(o.env), [COMMAND_TAG]: tag }, extendEnv: false, detached: true,
    all: true, reject: false, stdin: 'ignore', stripFinalNewline: false, maxBuffer: 64 * 1024 * 1024,
  } as const;
  const prefix = o.sandbox ? bwrapPrefix(o.sandbox.writable, o.sandbox.readOnly, o.sandbox.visible) : undefined;
  const child = prefix
    ? execa(prefix[0]!, [...prefix.slice(1), '/bin/sh', '-c', command], options)
    : execa(command, { ...options, shell: true });
  let timedOut = false;
  let cancelled = false;
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch (err) {
      alog.dropped('process group not killed: it is already gone', { pid: child.pid })(err);
    }
    killTagged(tag);
  };
  const timer = setTimeout(() => { timedOut = true; killGroup(); }, o.timeoutMs);
  const onAbort = () => { cancelled = true; killGroup(); };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();
  try {
    const r = await child;
    return {
      exitCode: timedOut || cancelled ? null : (r.exitCode ?? null),
      output: typeof r.all === 'string' ? r.all : '',
      timedOut, cancelled, durationMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    // The shell may have exited while children it started linger in the group, or in a session of their own.
    killGroup();
  }
}

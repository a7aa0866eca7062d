import { execa } from 'execa';
import { agentEnv } from './agent-env.js';

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
 * so a test runner's children or a forgotten dev server never outlive the call.
 */
export async function runShell(
  command: string,
  o: { cwd: string; timeoutMs: number; env?: Record<string, string>; signal?: AbortSignal },
): Promise<ShellResult> {
  const started = Date.now();
  const child = execa(command, {
    shell: true, cwd: o.cwd, env: agentEnv(o.env), extendEnv: false, detached: true,
    all: true, reject: false, stdin: 'ignore', stripFinalNewline: false, maxBuffer: 64 * 1024 * 1024,
  });
  let timedOut = false;
  let cancelled = false;
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is already gone
    }
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
    // The shell may have exited while children it started linger in the group.
    killGroup();
  }
}

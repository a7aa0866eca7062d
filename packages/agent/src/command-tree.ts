import { spawn } from 'node:child_process';
import { logger } from '@caid/log';
import { agentEnv } from './agent-env.js';
import { COMMAND_TAG, killTagged, newCommandTag } from './kill-tagged.js';

const alog = logger('agent');

export interface CommandTreeResult {
  /** null when caid stopped it (timeout, cancel) or it could not start. */
  exitCode: number | null;
  /** stdout and stderr interleaved as they arrived (the last `maxOutput` characters). */
  output: string;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
}

/** Kill switches of the commands running now, pulled if caid itself exits. */
const live = new Set<() => void>();
let exitHook = false;

/**
 * The one way caid runs a command it did not write (an agent's command, a setup, a check, the
 * project's verify): `/bin/sh -c command` (or `argv` as given, e.g. under bubblewrap) in its own
 * process group, with the scrubbed environment (agentEnv: no secrets) and a mark in it. When the
 * command ends, times out, is cancelled, or caid exits, every process it started dies: its group,
 * and on Linux any process still carrying the mark (one that called setsid or daemonised). So
 * nothing it started outlives it, holds its output open, or races the next tool call.
 */
export function runCommandTree(
  command: string,
  o: { cwd: string; timeoutMs: number; env?: Record<string, string>; signal?: AbortSignal; argvPrefix?: string[]; maxOutput: number },
): Promise<CommandTreeResult> {
  const started = Date.now();
  const tag = newCommandTag();
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => { for (const kill of live) kill(); });
  }
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    let cancelled = false;
    let exitCode: number | null = null;
    const [file, ...args] = [...(o.argvPrefix ?? []), '/bin/sh', '-c', command];
    const child = spawn(file!, args, { cwd: o.cwd, env: agentEnv({ ...o.env, [COMMAND_TAG]: tag }), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const killAll = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch (err) {
        alog.dropped('process group not killed: it is already gone', { pid: child.pid })(err);
      }
      killTagged(tag);
    };
    live.add(killAll);
    const take = (d: Buffer) => {
      output += d.toString('utf8');
      if (output.length > o.maxOutput) output = output.slice(-o.maxOutput);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => { timedOut = true; killAll(); }, o.timeoutMs);
    const onAbort = () => { cancelled = true; killAll(); };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted) onAbort();
    // The command ended: whatever it left running goes too (and releases the output pipes).
    child.on('exit', (code) => { exitCode = code; killAll(); });
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      killAll();
      live.delete(killAll);
      resolve({ exitCode: timedOut || cancelled ? null : exitCode, output, timedOut, cancelled, durationMs: Date.now() - started });
    };
    child.on('close', done);
    child.on('error', (e) => { output += `\ncaid: could not start the command: ${e.message}\n`; done(); });
  });
}

import { spawn } from 'node:child_process';
import { COMMAND_TAG, agentEnv, killTagged, newCommandTag } from '@caid/agent';
import { logger } from '@caid/log';

const ilog = logger('integrator');

export interface VerifyProcessResult {
  exitCode: number | null;
  /** stdout and stderr interleaved as they arrived (the last 16 MB). */
  output: string;
  timedOut: boolean;
  cancelled: boolean;
}

const MAX_OUTPUT = 16 * 1024 * 1024;
/** Kill switches of the verifies running now, pulled if caid itself exits. */
const live = new Set<() => void>();
let exitHook = false;

/**
 * Runs a verify command in its own process group with a mark in its environment. When the command
 * ends, times out or is cancelled, every process it started is killed: its group, and on Linux
 * any process that still carries the mark (one that called setsid or daemonised). So a test that
 * starts a server or loops forever in a child cannot outlive the verify or hold its output open.
 */
export function spawnVerify(command: string, o: { cwd: string; timeoutMs: number; env?: Record<string, string>; signal?: AbortSignal }): Promise<VerifyProcessResult> {
  // Marks every process the verify starts, so those that leave its process group (setsid) are found too.
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
    const child = spawn('/bin/sh', ['-c', command], { cwd: o.cwd, env: agentEnv({ ...o.env, [COMMAND_TAG]: tag }), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const killAll = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch (err) {
        ilog.dropped('process group not killed: it is already gone', { pid: child.pid })(err);
      }
      killTagged(tag);
    };
    live.add(killAll);
    const take = (d: Buffer) => {
      output += d.toString('utf8');
      if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT);
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
      resolve({ exitCode: timedOut || cancelled ? null : exitCode, output, timedOut, cancelled });
    };
    child.on('close', done);
    child.on('error', (e) => { output += `\ncaid: could not start verify: ${e.message}\n`; done(); });
  });
}

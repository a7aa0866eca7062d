import { runCommandTree } from '@caid/agent';

export interface VerifyProcessResult {
  exitCode: number | null;
  /** stdout and stderr interleaved as they arrived (the last 16 MB). */
  output: string;
  timedOut: boolean;
  cancelled: boolean;
}

const MAX_OUTPUT = 16 * 1024 * 1024;

/**
 * Runs a verify command as a command tree (@caid/agent runCommandTree): when it ends, times out or
 * is cancelled, or caid exits, every process it started is killed, so a test that starts a server
 * or loops forever in a child cannot outlive the verify or hold its output open.
 */
export async function spawnVerify(command: string, o: { cwd: string; timeoutMs: number; env?: Record<string, string>; signal?: AbortSignal }): Promise<VerifyProcessResult> {
  const { durationMs: _ms, ...r } = await runCommandTree(command, { ...o, maxOutput: MAX_OUTPUT });
  return r;
}

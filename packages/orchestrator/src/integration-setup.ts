import { RunError } from '@caid/core';
import { runShell, tailOutput } from '@caid/agent';

/** The plan's setup in the integration worktree, where verify runs; without it no merge could be checked. */
export async function integrationSetup(command: string, dir: string, timeoutMs = 15 * 60_000, signal?: AbortSignal): Promise<void> {
  const r = await runShell(command, { cwd: dir, timeoutMs, signal });
  if (r.exitCode !== 0) {
    throw new RunError(`setup \`${command}\` ${r.timedOut ? 'timed out' : `exited ${r.exitCode}`} in the integration worktree ${dir}, so no merge could be verified; fix it and run again:\n${tailOutput(r.output, 1500)}`);
  }
}

import { integrationBranch, type NewRunEvent, type Usage } from '@caid/core';
import type { Repo, Worktree } from '@caid/git';
import { runShell, tailOutput } from '@caid/agent';

/** What an agent that worked in the integration worktree reports back. */
export interface StepAgentResult {
  ok: boolean;
  message?: string;
  usage: Usage;
}

export interface IntegrationStepOptions {
  kind: 'scaffold' | 'review';
  repo: Repo;
  runId: string;
  worktree: Worktree;
  verify?: string;
  verifyTimeoutMs: number;
  signal?: AbortSignal;
  agent: (dir: string) => Promise<StepAgentResult>;
  onVerify?: (output: string) => void;
}

/**
 * An agent changes the integration worktree directly (the scaffold, the final review). Its work
 * becomes one commit on the integration branch only if verify passes on it; otherwise the
 * worktree is reset and the branch keeps its verified head. Returns the `run.step` event.
 */
export async function integrationStep(o: IntegrationStepOptions): Promise<NewRunEvent> {
  const branch = integrationBranch(o.runId);
  const before = (await o.repo.resolve(branch))!;
  if ((await o.worktree.head()) !== before || !(await o.worktree.status()).clean) await o.worktree.resetHard(before);
  const r = await o.agent(o.worktree.path);
  const event = (outcome: 'committed' | 'unchanged' | 'rejected', message?: string, commit?: string): NewRunEvent =>
    ({ type: 'run.step', kind: o.kind, outcome, usage: r.usage, ...(message ? { message } : {}), ...(commit ? { commit } : {}) });
  if (!r.ok) {
    await o.worktree.resetHard(before);
    return event('rejected', `the ${o.kind} agent stopped: ${r.message ?? 'no finish'}`);
  }
  const commit = await o.worktree.commitAll(`caid: ${o.kind}\n\n${r.message ?? ''}`.trim());
  if (!commit) return event('unchanged', r.message);
  if (o.verify) {
    const v = await runShell(o.verify, { cwd: o.worktree.path, timeoutMs: o.verifyTimeoutMs, signal: o.signal });
    o.onVerify?.(v.output);
    if (v.exitCode !== 0) {
      await o.worktree.resetHard(before);
      return event('rejected', `verify \`${o.verify}\` failed on the ${o.kind} (exit ${v.exitCode}); nothing committed:\n${tailOutput(v.output, 1500)}`);
    }
  }
  await o.repo.updateBranch(branch, commit, before);
  return event('committed', r.message, commit);
}

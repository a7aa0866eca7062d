import { integrationBranch, type NewRunEvent, type Usage } from '@caid/core';
import type { Repo, Worktree } from '@caid/git';
import { integrationHead, moveIntegrationBranch, type TestGate } from '@caid/integrator';

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
  /** The integration worktree checked out at `head`. */
  worktree: (head: string) => Promise<Worktree>;
  /** The run's test gate: the step is kept only if the gate accepts it, as for a merge. */
  gate?: TestGate;
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
  const before = (await integrationHead(o.repo, branch))!;
  const wt = await o.worktree(before);
  const r = await o.agent(wt.path);
  const event = (outcome: 'committed' | 'unchanged' | 'rejected', message?: string, commit?: string): NewRunEvent =>
    ({ type: 'run.step', kind: o.kind, outcome, usage: r.usage, ...(message ? { message } : {}), ...(commit ? { commit } : {}) });
  if (!r.ok) {
    await wt.resetHard(before);
    return event('rejected', `the ${o.kind} agent stopped: ${r.message ?? 'no finish'}`);
  }
  const commit = await wt.commitAll(`caid: ${o.kind}\n\n${r.message ?? ''}`.trim());
  if (!commit) return event('unchanged', r.message);
  if (o.gate) {
    const v = await o.gate.check(wt.path);
    o.onVerify?.(v.output);
    if (!v.report.accepted) {
      await wt.resetHard(before);
      return event('rejected', `verify \`${o.gate.command}\` failed on the ${o.kind} (exit ${v.exitCode}); nothing committed:\n${v.output.slice(-1500)}`);
    }
  }
  // A branch caid cannot move (checked out elsewhere, locked) rejects the step; it does not end the run.
  const blocked = await moveIntegrationBranch(o.repo, branch, commit, before);
  if (blocked) {
    await wt.resetHard(before);
    return event('rejected', `the ${o.kind} was not kept: ${blocked}`);
  }
  return event('committed', r.message, commit);
}

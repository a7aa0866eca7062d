import path from 'node:path';
import { runDir, secretValues, type Plan } from '@caid/core';
import { JsonlFile } from '@caid/log';
import type { ChatMessage, Model } from '@caid/llm';
import type { RunOptions, StepAgentResult } from '@caid/orchestrator';
import { reviewAgent, revisePlan, scaffoldAgent } from '@caid/planner';
import type { AgentResult } from '@caid/agent';

/**
 * The planner's conversations (plan, scaffold, replan, review) go to `.caid/runs/<runId>/planner.jsonl`.
 * Lines wait in memory until the run folder exists, so a run refused as bad input writes nothing.
 */
export class PlannerTranscript {
  private pending: unknown[] = [];
  private lines?: JsonlFile;

  /** `secrets`: values redacted from every line, with URL credentials and token shapes (the core rule). */
  constructor(private readonly secrets: readonly string[] = secretValues(process.env)) {}

  for(role: string): (m: ChatMessage) => void {
    return (message) => this.write({ t: 'message', role, at: new Date().toISOString(), message });
  }

  open(repoRoot: string, runId: string): void {
    this.lines = new JsonlFile(path.join(repoRoot, runDir(runId), 'planner.jsonl'), this.secrets);
    if (this.pending.length) this.lines.append(...this.pending.splice(0));
  }

  private write(record: unknown): void {
    if (this.lines) this.lines.append(record);
    else this.pending.push(record);
  }
}

export interface PlannerHookOptions {
  model: Model;
  plan: Plan;
  scaffold?: boolean;
  review?: boolean;
  replan: boolean;
  maxReplans: number;
  maxTasks: number;
  /** Rejected revisions the replanner may repair (settings `planner.maxRepairs`). */
  maxRepairs: number;
  signal: AbortSignal;
  transcript: PlannerTranscript;
  say: (line: string) => void;
}

const asStep = (r: AgentResult): StepAgentResult => ({ ok: r.status === 'finished', message: r.summary ?? r.message ?? r.status, usage: r.usage });

/** Wires the planner's agents into a run: scaffold before, review after, replanning on permanent failure. */
export function plannerHooks(o: PlannerHookOptions): Pick<RunOptions, 'scaffold' | 'review' | 'replan' | 'maxReplans'> {
  const common = { model: o.model, signal: o.signal };
  return {
    scaffold: o.scaffold ? (dir) => scaffoldAgent({ ...common, dir, plan: o.plan, onMessage: o.transcript.for('scaffold') }).then(asStep) : undefined,
    review: o.review ? (dir, state) => reviewAgent({ ...common, dir, state, onMessage: o.transcript.for('review') }).then(asStep) : undefined,
    maxReplans: o.maxReplans,
    replan: o.replan
      ? async ({ failedTaskId, reason, state, dir }) => {
        o.say(`replanning after ${failedTaskId} failed`);
        const out = await revisePlan({ ...common, state, failedTaskId, reason, dir, maxTasks: o.maxTasks, maxRepairs: o.maxRepairs, onMessage: o.transcript.for('replan') });
        if (!out.ok) o.say(`replanning gave no usable revision: ${out.errors.join('; ')}`);
        return out.ok ? out.value : null;
      }
      : undefined,
  };
}

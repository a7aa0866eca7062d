import { CancelledError, InputError, type Plan } from '@caid/core';
import type { ChatMessage, Model } from '@caid/llm';
import { planGoal } from '@caid/planner';
import { goalLine } from './render-plan.js';

export interface PlanFromGoalOptions {
  model: Model;
  repoDir: string;
  maxTasks: number;
  maxRepairs: number;
  verify?: string;
  signal?: AbortSignal;
  say: (line: string) => void;
  onMessage?: (m: ChatMessage) => void;
}

/** Runs the planner; a planner that never produces a valid plan is bad input (exit 2) with its last errors. */
export async function planFromGoal(goal: string, o: PlanFromGoalOptions): Promise<Plan> {
  o.say(`planning: ${goalLine(goal)}`);
  const out = await planGoal({
    model: o.model, goal, repoDir: o.repoDir, maxTasks: o.maxTasks, maxRepairs: o.maxRepairs, verify: o.verify,
    signal: o.signal, onMessage: o.onMessage,
  });
  if (out.ok) {
    o.say(`planned ${out.value.tasks.length} task${out.value.tasks.length === 1 ? '' : 's'} (${out.attempts} submission${out.attempts === 1 ? '' : 's'}, ${out.usage.inputTokens + out.usage.outputTokens} tokens)`);
    return out.value;
  }
  if (out.cancelled) throw new CancelledError('planning interrupted');
  throw new InputError(`the planner produced no valid plan (${out.attempts} rejected submission${out.attempts === 1 ? '' : 's'}); the last problems were:`, out.errors);
}

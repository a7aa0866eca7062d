import { PlanSchema, type Plan } from '@caid/core';
import type { ChatMessage, Model } from '@caid/llm';
import { checkPlan } from './check-plan.js';
import { PLANNER_PROMPT, planRequest } from './planner-prompt.js';
import { readOnlyTools } from './read-only-tools.js';
import { repoContext } from './repo-context.js';
import { runSubmissionAgent, type SubmissionOutcome } from './submission-agent.js';

export interface PlanGoalOptions {
  model: Model;
  goal: string;
  /** The repository's root folder: the planner reads it, never writes it. */
  repoDir: string;
  maxTasks?: number;
  /** Rejected plans allowed after the first before planning fails. */
  maxRepairs?: number;
  /** The verify command the run will use, if the user set one. */
  verify?: string;
  maxSteps?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  onMessage?: (m: ChatMessage) => void;
}

export const DEFAULT_MAX_TASKS = 8;
export const DEFAULT_MAX_REPAIRS = 3;

/** Goal + repository -> a validated plan, or the problems of the last rejected attempt. */
export async function planGoal(o: PlanGoalOptions): Promise<SubmissionOutcome<Plan>> {
  const maxTasks = o.maxTasks ?? DEFAULT_MAX_TASKS;
  const ctx = repoContext(o.repoDir, { verify: o.verify });
  const messages: ChatMessage[] = [
    { role: 'system', content: PLANNER_PROMPT },
    { role: 'user', content: planRequest(o.goal, ctx.text, { maxTasks, verify: ctx.testCommand }) },
  ];
  const out = await runSubmissionAgent({
    model: o.model, messages, tools: readOnlyTools(o.repoDir), maxRepairs: o.maxRepairs ?? DEFAULT_MAX_REPAIRS,
    maxSteps: o.maxSteps ?? 40, timeoutMs: o.timeoutMs ?? 20 * 60_000, signal: o.signal, onMessage: o.onMessage,
    submit: {
      name: 'submit_plan',
      description: 'Submit the complete task graph. It is checked at once; problems come back as an error to fix.',
      schema: PlanSchema,
      check: (raw) => checkPlan(raw, { maxTasks }),
    },
  });
  if (!out.ok) return out;
  // The run is about the user's goal; the detected test command fills a missing verify.
  const verify = o.verify ?? out.value.verify ?? ctx.testCommand;
  return { ...out, value: { ...out.value, goal: o.goal, ...(verify ? { verify } : {}) } };
}

import { z } from 'zod';
import { TaskSchema, fileOverlaps, runInputs, planProblems, type RunState, type Task } from '@caid/core';
import type { ChatMessage, Model } from '@caid/llm';
import { issueLines, type Checked } from './check-plan.js';
import { readOnlyTools } from './read-only-tools.js';
import { runSubmissionAgent, type SubmissionOutcome } from './submission-agent.js';

export const RevisionSchema = z.object({
  tasks: z.array(TaskSchema).describe('every task still to run: pending tasks kept (same id, possibly changed) and new ones'),
});

export interface RevisePlanOptions {
  model: Model;
  state: RunState;
  failedTaskId: string;
  reason: string;
  /** A checkout to study (the integration worktree: everything merged so far). */
  dir: string;
  maxTasks: number;
  maxRepairs?: number;
  signal?: AbortSignal;
  onMessage?: (m: ChatMessage) => void;
}

const REPLAN_PROMPT = `You are the planner of caid. A task of the running plan failed for good. Revise the part of the plan that has not started yet so the goal can still be reached: split the failed task into smaller tasks, replace it with a different approach, or drop it and the tasks that depend on it.
Call submit_revision with every task still to run. Keep a pending task by repeating it (same id; you may change its prompt, files or dependencies); a pending task you leave out is dropped. New tasks need new ids. Tasks may depend on merged or running tasks and on each other, never on a failed or skipped task. Two tasks that can run at the same time must not share files. Task prompts are self-contained and contain no code. Give new tasks an "estimate" (rough size) on the same scale as the existing tasks' estimates.`;

const line = (t: Task & { status?: string; reason?: string }) =>
  `- ${t.id}${t.title ? ` (${t.title})` : ''}${t.dependsOn.length ? ` after ${t.dependsOn.join(', ')}` : ''}${t.files.length ? `; files: ${t.files.join(', ')}` : ''}${t.estimate ? `; estimate ${t.estimate}` : ''}${t.reason ? `; ${t.reason}` : ''}`;

/** Checks a revision against the run: ids, dependencies, cycles, the task budget, shared files. */
export function checkRevision(raw: unknown, s: RunState, maxTasks: number): Checked<Task[]> {
  const parsed = RevisionSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: issueLines(parsed.error) };
  const tasks = parsed.data.tasks;
  const errors: string[] = [];
  const dead = new Set(s.order.filter((id) => ['failed', 'skipped'].includes(s.tasks[id]!.status)));
  const live = s.order.filter((id) => s.tasks[id]!.status !== 'pending' && !dead.has(id));
  for (const t of tasks) {
    if (dead.has(t.id) || live.includes(t.id)) errors.push(`task id "${t.id}" is already used by a ${s.tasks[t.id]!.status} task; choose a new id`);
    for (const d of t.dependsOn) if (dead.has(d)) errors.push(`task "${t.id}" depends on "${d}", which ${s.tasks[d]!.status}; depend on the tasks that replace it, or on nothing`);
  }
  if (tasks.length > maxTasks) errors.push(`the revision has ${tasks.length} tasks; at most ${maxTasks} are allowed`);
  if (errors.length) return { ok: false, errors };
  // Merged work is done: it constrains dependencies, not file ownership.
  const kept = live.map((id) => ({ ...s.tasks[id]!, files: s.tasks[id]!.status === 'merged' ? [] : s.tasks[id]!.files }));
  const combined = { goal: s.goal, tasks: [...kept, ...tasks] };
  const problems = planProblems(combined);
  if (!problems.length) problems.push(...fileOverlaps(combined));
  return problems.length ? { ok: false, errors: problems } : { ok: true, value: tasks };
}

/** After a permanent failure: the planner's revision of the not-yet-started tasks. */
export function revisePlan(o: RevisePlanOptions): Promise<SubmissionOutcome<Task[]>> {
  const s = o.state;
  const group = (st: string[]) => s.order.map((id) => s.tasks[id]!).filter((t) => st.includes(t.status));
  const failed = s.tasks[o.failedTaskId]!;
  const { verify } = runInputs(s);
  const user = [
    `# Goal\n${s.goal}`,
    `# Failed task: ${failed.id}${failed.title ? ` (${failed.title})` : ''}\nWhy: ${o.reason}\nIts prompt was:\n${failed.prompt}`,
    `# Merged\n${group(['merged']).map(line).join('\n') || '(none)'}`,
    `# Running\n${group(['queued', 'running', 'integrating']).map(line).join('\n') || '(none)'}`,
    `# Failed or skipped\n${group(['failed', 'skipped']).map(line).join('\n')}`,
    `# Pending (not started)\n${JSON.stringify(group(['pending']).map(({ id, title, prompt, dependsOn, files, estimate }) => ({ id, title, prompt, dependsOn, files, estimate })), null, 2)}`,
    verify ? `caid runs \`${verify}\` after every merge.` : '',
    `At most ${o.maxTasks} tasks. Call submit_revision.`,
  ].filter(Boolean).join('\n\n');
  return runSubmissionAgent({
    model: o.model, tools: readOnlyTools(o.dir), maxRepairs: o.maxRepairs ?? 2, maxSteps: 30, timeoutMs: 10 * 60_000,
    signal: o.signal, onMessage: o.onMessage,
    messages: [{ role: 'system', content: REPLAN_PROMPT }, { role: 'user', content: user }],
    submit: {
      name: 'submit_revision',
      description: 'Submit every task still to run. Checked at once; problems come back as an error to fix.',
      schema: RevisionSchema,
      check: (raw) => checkRevision(raw, s, o.maxTasks),
    },
  });
}

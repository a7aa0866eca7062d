import { runInputs, type Plan, type RunState } from '@caid/core';
import type { ChatMessage, Model } from '@caid/llm';
import { builtinTools, runAgent, type AgentResult } from '@caid/agent';

export interface IntegrationAgentOptions {
  model: Model;
  /** The integration worktree. */
  dir: string;
  maxSteps?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  onMessage?: (m: ChatMessage) => void;
}

const COMMON = 'Work only through the tools. Do not run git commit, merge or reset: caid commits your changes after you call finish, and only if the project\'s tests still pass.';

const taskLines = (tasks: Plan['tasks']) => tasks.map((t) => `- ${t.id}${t.title ? ` (${t.title})` : ''}: files ${t.files.join(', ') || '(unspecified)'}${t.dependsOn.length ? `; after ${t.dependsOn.join(', ')}` : ''}`).join('\n');

function run(o: IntegrationAgentOptions, system: string, user: string): Promise<AgentResult> {
  const messages: ChatMessage[] = [{ role: 'system', content: system }, { role: 'user', content: user }];
  for (const m of messages) o.onMessage?.(m);
  return runAgent({
    model: o.model, tools: builtinTools(o.dir), messages, maxSteps: o.maxSteps ?? 40,
    timeoutMs: o.timeoutMs ?? 20 * 60_000, signal: o.signal, onMessage: o.onMessage,
  });
}

/** Before the tasks: a skeleton (interfaces, stubs, shared files) every task builds against. */
export function scaffoldAgent(o: IntegrationAgentOptions & { plan: Plan }): Promise<AgentResult> {
  return run(o, `You are the planner of caid, preparing a skeleton before several engineers work in parallel. ${COMMON}`, [
    `# Goal\n${o.plan.goal}`,
    `# The tasks that will run in parallel from your skeleton\n${taskLines(o.plan.tasks)}`,
    '# Your job',
    'Create only what lets the tasks build against fixed interfaces: shared files (package index, manifests, config), type definitions, and stub modules with the exported names and signatures the tasks will fill in. Do not implement the tasks. Keep the existing tests passing: stubs must not break imports.',
    o.plan.verify ? `\`${o.plan.verify}\` must still pass.` : '',
    'Call finish with a summary of the interfaces you fixed.',
  ].filter(Boolean).join('\n\n'));
}

/** After the last merge: fix cross-task mismatches (names, imports, duplicated helpers). */
export function reviewAgent(o: IntegrationAgentOptions & { state: RunState }): Promise<AgentResult> {
  const s = o.state;
  const merged = s.mergeOrder.map((id) => s.tasks[id]!);
  const { verify } = runInputs(s);
  return run(o, `You are the reviewer of caid. Several engineers worked in parallel and their work is merged. ${COMMON}`, [
    `# Goal\n${s.goal}`,
    `# Merged tasks, in merge order\n${taskLines(merged)}`,
    '# Your job',
    'Read the integrated code and fix what only shows when the parts meet: mismatched names or signatures, broken or duplicated imports, helpers written twice, inconsistent exports or docs. Change as little as possible; do not add features. If everything fits, change nothing.',
    verify ? `Run \`${verify}\` before you finish; it must pass.` : '',
    'Call finish with a summary of what you fixed.',
  ].filter(Boolean).join('\n\n'));
}

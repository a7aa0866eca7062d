import path from 'node:path';
import type { TaskJob, TaskProgress } from '@caid/core';
import type { ChatMessage, Model } from '@caid/llm';
import { builtinTools, endpointEnv, isSecretVariable, runAgent, runExternalAgent, type AgentPreset, type AgentResult, type SandboxKind } from '@caid/agent';
import type { Worktree } from '@caid/git';
import type { Transcript } from './transcript.js';
import { scratchDir, taskEnv } from './prepare-round.js';
import { meteredRound, type MeteredRound } from './metered-lease.js';

/** An external CLI agent: the command (with `{promptFile}`) and the variables it may see. */
export interface ExternalAgentSpec {
  command: string;
  passEnv?: readonly string[];
  /** The preset the command comes from: it configures the tool for caid's model endpoint. */
  preset?: AgentPreset;
}

export interface RoundAgentOptions {
  model?: Model;
  /** Used for conflict rounds when set (config `models.resolver`). */
  resolverModel?: Model;
  external?: ExternalAgentSpec;
  sandbox?: SandboxKind;
  /** A reason to stop after the current step (the run's budget is spent). */
  shouldStop?: () => string | undefined;
  limits: { maxSteps: number; roundTimeoutMs: number; runTimeoutSec: number; maxTokens?: number };
}

/** Runs one round's agent, built-in or external, in the task's worktree. */
export async function runRoundAgent(
  job: TaskJob, wt: Worktree, messages: ChatMessage[], transcript: Transcript,
  ctx: { signal: AbortSignal; progress(p: TaskProgress): void }, o: RoundAgentOptions,
  validateFinish: () => Promise<string | null>,
  interject?: (step: number) => Promise<string | undefined>,
): Promise<AgentResult & { role?: 'worker' | 'resolver' }> {
  const scratch = scratchDir(job);
  const role = job.round.kind === 'conflict' && o.resolverModel ? 'resolver' : 'worker';
  const model = role === 'resolver' ? o.resolverModel : o.model;
  if (o.external) {
    // With a model configured, the CLI talks to caid's metering endpoint with a per-round token:
    // the user's key stays here (passEnv keys are dropped) and every token counts in the budgets.
    const meter = model ? await meteredRound(model, job, { shouldStop: o.shouldStop, maxTokens: o.limits.maxTokens }, ctx.progress) : undefined;
    const passed = Object.fromEntries((o.external.passEnv ?? []).flatMap((k) => {
      const v = process.env[k];
      return v && !(meter && isSecretVariable(k, v)) ? [[k, v]] : [];
    }));
    try {
      const result = await runExternalAgent({
        command: o.external.command, preset: o.external.preset, cwd: wt.path, prompt: externalPrompt(messages), promptFile: path.join(scratch, `prompt-${job.attempt}.md`),
        timeoutMs: o.limits.roundTimeoutMs, signal: ctx.signal,
        env: { ...passed, ...taskEnv(job, wt.path), ...(meter ? endpointEnv(meter.endpoint) : {}) },
        onOutput: (out) => transcript.append({ t: 'note', text: `external agent output:\n${out}` }),
      });
      const metered = meter ? withMeteredUsage(result, meter) : result;
      const refusal = metered.status === 'finished' ? await validateFinish() : null;
      return { ...(refusal ? { ...metered, status: 'agent-failed', message: refusal } : metered), ...(meter ? { role } : {}) };
    } finally {
      meter?.release();
    }
  }
  if (!model) throw new Error('no model and no external agent configured');
  const result = await runAgent({
    model,
    tools: builtinTools(wt.path, {
      runTimeoutSec: o.limits.runTimeoutSec, env: taskEnv(job, wt.path), scratchDir: scratch, sandbox: o.sandbox,
      readOnly: (job.prepare?.share ?? []).filter((s) => s.mode === 'hardlink').map((s) => path.join(wt.path, s.path)),
      visible: [job.repo],
    }),
    messages, maxSteps: o.limits.maxSteps, timeoutMs: o.limits.roundTimeoutMs,
    ...(o.limits.maxTokens !== undefined ? { maxTokens: Math.max(0, o.limits.maxTokens - (job.usedTokens ?? 0)) } : {}),
    signal: ctx.signal, shouldStop: o.shouldStop,
    onMessage: (message) => transcript.append({ t: 'message', message }),
    onStep: (s) => ctx.progress(s),
    validateFinish, interject,
  });
  return { ...result, role };
}

/**
 * The prompt file of an external agent: caid's instructions, the task, and for a conflict round
 * or a send-back the newest message (conflicted paths, or the failing verify output).
 */
export function externalPrompt(messages: ChatMessage[]): string {
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  const users = messages.filter((m) => m.role === 'user').map((m) => m.content ?? '');
  const parts = [system.replace(/Work only through the tools\.[^\n]*\n?/, ''), users[0] ?? ''];
  if (users.length > 1) parts.push(`# Now\n\n${users.at(-1)}`);
  return `${parts.filter(Boolean).join('\n\n')}\n`;
}

/** The round's metered tokens; a CLI that gave up because the endpoint refused (budget spent) stopped for that reason. */
function withMeteredUsage(result: AgentResult, meter: MeteredRound): AgentResult {
  const counted = { ...result, usage: meter.usage, steps: Math.max(result.steps, meter.requests) };
  if (meter.refusal && result.status !== 'finished' && result.status !== 'cancelled') return { ...counted, status: meter.refusal.status, message: meter.refusal.message };
  return counted;
}

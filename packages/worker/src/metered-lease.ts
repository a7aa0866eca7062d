import type { TaskJob, TaskProgress } from '@caid/core';
import { type Lease, type MeteringEndpoint, type Model, startMeteringEndpoint, type TokenUsage } from '@caid/llm';
import type { AgentEndpoint } from '@caid/agent';

let shared: Promise<MeteringEndpoint> | undefined;

/** One metering endpoint per process, started on first use; it does not keep the process alive. */
export function sharedMeteringEndpoint(): Promise<MeteringEndpoint> {
  shared ??= startMeteringEndpoint({ unref: true }).catch((e: unknown) => {
    shared = undefined;
    throw e;
  });
  return shared;
}

export interface MeteredRound {
  endpoint: AgentEndpoint;
  /** Tokens and cost of every request answered so far. */
  usage: TokenUsage;
  requests: number;
  /** Set once a request was refused because the run's budget or the task's token limit was reached. */
  refusal?: { status: 'stopped' | 'token-limit'; message: string };
  release(): void;
}

/**
 * A lease on the endpoint for one round of an external agent: its requests go to `model`, each
 * answered request's usage is added up and reported as progress (so the run's budget sees it at
 * once), and requests are refused once the budget or the task's token limit is spent.
 */
export async function meteredRound(
  model: Model, job: TaskJob, o: { shouldStop?: () => string | undefined; maxTokens?: number },
  progress: (p: TaskProgress) => void,
): Promise<MeteredRound> {
  const endpoint = await sharedMeteringEndpoint();
  const round: MeteredRound = { usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 }, requests: 0, endpoint: undefined as never, release: () => undefined };
  const tokenLimit = o.maxTokens !== undefined ? Math.max(0, o.maxTokens - (job.usedTokens ?? 0)) : undefined;
  const lease: Lease = endpoint.lease({
    model,
    label: `${job.runId}/${job.task.id}`,
    admit: () => {
      const budget = o.shouldStop?.();
      if (budget) round.refusal = { status: 'stopped', message: budget };
      else if (tokenLimit !== undefined && round.usage.inputTokens + round.usage.outputTokens >= tokenLimit) {
        round.refusal = { status: 'token-limit', message: `the task's token limit (${o.maxTokens}) is spent` };
      }
      return round.refusal?.message;
    },
    onUsage: (u) => {
      round.requests++;
      round.usage = {
        inputTokens: round.usage.inputTokens + u.inputTokens,
        outputTokens: round.usage.outputTokens + u.outputTokens,
        costUsd: Math.round((round.usage.costUsd + u.costUsd) * 1e9) / 1e9,
      };
      progress({ step: round.requests, tool: 'model', usage: { ...round.usage } });
    },
  });
  round.endpoint = { openaiBaseUrl: lease.openaiBaseUrl, anthropicBaseUrl: lease.anthropicBaseUrl, token: lease.token, model: lease.model };
  round.release = lease.release;
  return round;
}

import type { TaskJob, TaskProgress } from '@caid/core';
import { addTokenUsage, type Lease, type MeteringEndpoint, type Model, startMeteringEndpoint, type TokenUsage } from '@caid/llm';
import type { AgentEndpoint } from '@caid/agent';

let shared: Promise<MeteringEndpoint> | undefined;

const PROGRESS_EVERY_TOKENS = 256;

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
  // The same rule before a request and while its reply streams in (`partial`: that reply's usage so far).
  const refuse = (partial?: TokenUsage) => {
    const budget = o.shouldStop?.();
    const used = round.usage.inputTokens + round.usage.outputTokens + (partial ? partial.inputTokens + partial.outputTokens : 0);
    if (budget) round.refusal = { status: 'stopped', message: budget };
    else if (tokenLimit !== undefined && used >= tokenLimit) {
      round.refusal = { status: 'token-limit', message: `the task's token limit (${o.maxTokens}) is spent` };
    }
    return round.refusal?.message;
  };
  let reported = 0;
  const lease: Lease = endpoint.lease({
    model,
    label: `${job.runId}/${job.task.id}`,
    admit: () => refuse(),
    onProgress: (partial) => {
      // The run's budget sees a long reply as it grows (as the built-in agent reports it), not only once it ends.
      if (partial.outputTokens - reported >= PROGRESS_EVERY_TOKENS) {
        reported = partial.outputTokens;
        progress({ step: round.requests + 1, tool: 'model', usage: addTokenUsage(round.usage, partial) });
      }
      return refuse(partial);
    },
    onUsage: (u) => {
      round.requests++;
      reported = 0;
      round.usage = addTokenUsage(round.usage, u);
      progress({ step: round.requests, tool: 'model', usage: { ...round.usage } });
    },
  });
  round.endpoint = { openaiBaseUrl: lease.openaiBaseUrl, anthropicBaseUrl: lease.anthropicBaseUrl, token: lease.token, model: lease.model };
  round.release = lease.release;
  return round;
}

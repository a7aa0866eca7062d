import { failedRequestUsage, isContextOverflow, isMalformedReplyError, type ChatMessage, type Model, type TokenUsage } from '@caid/llm';
import { condenseHistory } from './condense-history.js';
import type { Tool } from './define-tool.js';
import { executeToolCall } from './execute-tool-call.js';

export type AgentStatus = 'finished' | 'step-limit' | 'time-limit' | 'token-limit' | 'format-errors' | 'model-error' | 'cancelled' | 'stopped' | 'agent-failed';

export interface AgentResult {
  status: AgentStatus;
  summary?: string;
  message?: string;
  steps: number;
  usage: TokenUsage;
  /** Time spent waiting for the model. */
  modelMs?: number;
}

export interface AgentOptions {
  model: Model;
  tools: Tool[];
  /** The conversation so far: a new one (system + task) or one being continued. */
  messages: ChatMessage[];
  maxSteps: number;
  timeoutMs: number;
  /** Consecutive replies with malformed or missing tool calls before the task ends. */
  maxFormatErrors?: number;
  signal?: AbortSignal;
  onMessage?: (m: ChatMessage) => void;
  onStep?: (s: { step: number; tool?: string; usage: TokenUsage }) => void;
  /** Input plus output tokens this conversation may use. */
  maxTokens?: number;
  /** Checked before every model call: a reason (e.g. the run's budget is spent) ends the task as 'stopped'. */
  shouldStop?: () => string | undefined;
  /** Refuses a `finish` (e.g. conflict markers remain): the reason goes back to the model. */
  validateFinish?: () => Promise<string | null>;
  /** Asked before every model call after the first: a text is added as a user message (e.g. a coming merge conflict). */
  interject?: (step: number) => Promise<string | undefined>;
}

const NO_TOOL_CALL = 'Your reply contained no tool call. Work only through the tools, and call `finish` with a summary when the task is done.';
const MALFORMED = 'The server could not parse your last reply as a tool call. Reply with exactly one well-formed tool call (valid JSON arguments).';
/** While a reply streams, its usage so far is reported (for the run's budget) each time it grows by this many tokens. */
const PROGRESS_EVERY_TOKENS = 256;
const CUT_OFF = 'Your reply was cut off (finish_reason "length") before it contained a complete tool call. Reply with one short tool call.';

/** One model-plus-tools conversation, run to an exit status under limits. */
export async function runAgent(o: AgentOptions): Promise<AgentResult> {
  const history = [...o.messages];
  const push = (m: ChatMessage) => { history.push(m); o.onMessage?.(m); };
  const deadline = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, deadline]) : deadline;
  const tools = new Map(o.tools.map((t) => [t.spec.name, t]));
  const specs = o.tools.map((t) => t.spec);
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  let formatErrors = 0;
  let steps = 0;
  let modelMs = 0;
  const end = (status: AgentStatus, extra: Partial<AgentResult> = {}): AgentResult => ({ status, steps, usage: { ...usage }, modelMs, ...extra });
  const condense = (keepRecent?: number): boolean => {
    const shorter = condenseHistory(history, keepRecent);
    if (shorter) history.splice(0, history.length, ...shorter);
    return shorter !== null;
  };
  const stopped = () => (o.signal?.aborted ? end('cancelled') : end('time-limit', { message: `no finish within ${o.timeoutMs} ms` }));

  // The server's real context (llama-server's n_ctx), before the first condensing decision.
  await o.model.learnContext?.();
  while (steps < o.maxSteps) {
    if (signal.aborted) return stopped();
    const stop = o.shouldStop?.();
    if (stop) return end('stopped', { message: stop });
    if (o.maxTokens !== undefined && usage.inputTokens + usage.outputTokens >= o.maxTokens) {
      return end('token-limit', { message: `${usage.inputTokens + usage.outputTokens} tokens used; the limit is ${o.maxTokens}` });
    }
    const note = steps > 0 ? await o.interject?.(steps) : undefined;
    if (note) push({ role: 'user', content: note });
    // Condense before the server truncates silently (Ollama cuts the prompt's start, system prompt
    // included) or refuses. The tool specs are part of the prompt too (2,007 of 4,645 characters in the
    // recorded llama-server session whose n_ctx was 1,280), the 4-characters rule undercounted that
    // server's tokens by a sixth (1,161 for 1,393), and the reply needs room: hence 70%.
    if (o.model.contextWindow && (JSON.stringify(history).length + JSON.stringify(specs).length) / 4 > o.model.contextWindow * 0.7) {
      if (!condense()) condense(2);
    }
    steps++;
    let reply;
    const asked = Date.now();
    // A streamed reply that runs away is cut as soon as the task's tokens or the run's budget are spent.
    const cut = new AbortController();
    let cutReason: { status: AgentStatus; message: string } | undefined;
    let reported = 0;
    const onProgress = (partial: TokenUsage) => {
      const now = { inputTokens: usage.inputTokens + partial.inputTokens, outputTokens: usage.outputTokens + partial.outputTokens, costUsd: usage.costUsd + partial.costUsd };
      if (partial.outputTokens - reported >= PROGRESS_EVERY_TOKENS) {
        reported = partial.outputTokens;
        o.onStep?.({ step: steps, usage: now });
      }
      const stop = o.shouldStop?.();
      const total = now.inputTokens + now.outputTokens;
      if (stop) cutReason = { status: 'stopped', message: stop };
      else if (o.maxTokens !== undefined && total >= o.maxTokens) cutReason = { status: 'token-limit', message: `${total} tokens used (a reply cut while streaming); the limit is ${o.maxTokens}` };
      if (cutReason) cut.abort();
    };
    try {
      reply = await o.model.complete({ messages: history, tools: specs, signal: AbortSignal.any([signal, cut.signal]), onProgress });
      modelMs += Date.now() - asked;
    } catch (e) {
      modelMs += Date.now() - asked;
      // A failed, cut or aborted request still cost what the server read and generated: the model
      // estimates it (prompt, plus what streamed), else the prompt here (~4 chars a token), so token
      // budgets hold when a runaway generation is cut off with no usage reported.
      const spent = failedRequestUsage(e) ?? { inputTokens: Math.ceil(JSON.stringify(history).length / 4), outputTokens: 0, costUsd: 0 };
      usage.inputTokens += spent.inputTokens;
      usage.outputTokens += spent.outputTokens;
      usage.costUsd += spent.costUsd;
      o.onStep?.({ step: steps, usage: { ...usage } });
      if (cutReason) return end(cutReason.status, { message: cutReason.message });
      if (signal.aborted) return stopped();
      // Too long for the context window: condense and try again, while there is something to condense.
      // A small context (llama-server -c 1280) overflows within two turns: then keep fewer recent messages.
      if (isContextOverflow(e) && (condense() || condense(2))) continue;
      // The server could not parse the model's tool call (llama-server's peg-native 500): say so, like any malformed reply.
      if (isMalformedReplyError(e)) {
        push({ role: 'user', content: MALFORMED });
        if (++formatErrors >= (o.maxFormatErrors ?? 3)) return end('format-errors', { message: `${formatErrors} replies in a row the server could not parse: ${(e as Error).message}` });
        continue;
      }
      return end('model-error', { message: (e as Error).message });
    }
    usage.inputTokens += reply.usage.inputTokens;
    usage.outputTokens += reply.usage.outputTokens;
    usage.costUsd += reply.usage.costUsd;
    push(reply.message);
    const calls = reply.message.tool_calls ?? [];
    o.onStep?.({ step: steps, tool: calls[0]?.function.name, usage: { ...usage } });
    if (calls.length === 0) {
      // A cut-off reply usually means the history filled the context (Ollama truncates silently).
      if (reply.finishReason === 'length') condense();
      push({ role: 'user', content: reply.finishReason === 'length' ? CUT_OFF : NO_TOOL_CALL });
      if (++formatErrors >= (o.maxFormatErrors ?? 3)) return end('format-errors', { message: `${formatErrors} replies in a row without a usable tool call` });
      continue;
    }
    let turnHadFormatError = false;
    let finished: string | undefined;
    for (const call of calls) {
      if (finished !== undefined) { push({ role: 'tool', tool_call_id: call.id, content: 'Skipped: finish was already called.' }); continue; }
      const out = await executeToolCall(tools, call, { signal });
      turnHadFormatError ||= out.formatError;
      const refusal = out.finish !== undefined ? await o.validateFinish?.() : null;
      push({ role: 'tool', tool_call_id: call.id, content: refusal ? `Refused: ${refusal}` : out.content });
      if (out.finish !== undefined && !refusal) finished = out.finish;
    }
    if (finished !== undefined) return end('finished', { summary: finished });
    formatErrors = turnHadFormatError ? formatErrors + 1 : 0;
    if (formatErrors >= (o.maxFormatErrors ?? 3)) return end('format-errors', { message: `${formatErrors} turns in a row with malformed tool calls` });
  }
  return end('step-limit', { message: `no finish within ${o.maxSteps} steps` });
}

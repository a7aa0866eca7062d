import { z } from 'zod';
import type { ChatMessage, Model, TokenUsage } from '@caid/llm';
import { defineTool, runAgent, type Tool } from '@caid/agent';
import type { Checked } from './check-plan.js';
import { textSubmissions } from './text-submissions.js';

export interface SubmissionOptions<T> {
  model: Model;
  messages: ChatMessage[];
  /** Read-only tools the agent may use before it submits. */
  tools: Tool[];
  submit: { name: string; description: string; schema: z.ZodType; check: (raw: unknown) => Checked<T> };
  /** Rejected submissions (invalid JSON included) allowed after the first; then the agent stops. */
  maxRepairs: number;
  maxSteps: number;
  timeoutMs: number;
  signal?: AbortSignal;
  onMessage?: (m: ChatMessage) => void;
}

export type SubmissionOutcome<T> =
  | { ok: true; value: T; attempts: number; usage: TokenUsage }
  | { ok: false; errors: string[]; attempts: number; usage: TokenUsage; cancelled: boolean };

const ACCEPTED = 'Accepted.';

/**
 * The submit tool advertises `schema` to the model (as JSON Schema) but takes the raw arguments
 * and checks them itself, so schema and graph problems come back as one error listing all of them.
 */
export function submissionTool<T>(submit: SubmissionOptions<T>['submit'], onAccept: (v: T) => void, onReject: (errors: string[]) => void): Tool {
  const advertised = defineTool({ name: submit.name, description: submit.description, schema: submit.schema, execute: async () => '' });
  return {
    spec: advertised.spec,
    schema: z.unknown(),
    async execute(raw) {
      const r = submit.check(raw);
      if (r.ok) { onAccept(r.value); return { output: ACCEPTED, finish: ACCEPTED }; }
      onReject(r.errors);
      return `Error: rejected, fix every problem below and call ${submit.name} again with the complete corrected input:\n${r.errors.map((e) => `- ${e}`).join('\n')}`;
    },
  };
}

/**
 * An agent whose job ends with one valid submission. Schema errors, graph errors and malformed
 * JSON all come back as the submit tool's error and all count against the same repair budget.
 */
export async function runSubmissionAgent<T>(o: SubmissionOptions<T>): Promise<SubmissionOutcome<T>> {
  let accepted: T | undefined;
  let errors: string[] = [];
  let attempts = 0;
  const stop = new AbortController();
  const submitTool = submissionTool(o.submit, (value) => { accepted = value; }, (e) => { errors = e; });
  const submitIds = new Set<string>();
  const onMessage = (m: ChatMessage) => {
    o.onMessage?.(m);
    if (m.role === 'assistant') for (const c of m.tool_calls ?? []) if (c.function.name === o.submit.name) submitIds.add(c.id);
    if (m.role !== 'tool' || !submitIds.has(m.tool_call_id)) return;
    attempts++;
    if (m.content === ACCEPTED) return;
    if (/not valid JSON/.test(m.content)) errors = [`the arguments of ${o.submit.name} were not valid JSON`];
    if (attempts > o.maxRepairs) stop.abort();
  };
  const result = await runAgent({
    model: textSubmissions(o.model, o.submit.name), tools: [...o.tools, submitTool], messages: o.messages, maxSteps: o.maxSteps, timeoutMs: o.timeoutMs,
    maxFormatErrors: o.maxRepairs + 1, onMessage, signal: o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal,
  });
  if (accepted !== undefined) return { ok: true, value: accepted, attempts, usage: result.usage };
  const cancelled = o.signal?.aborted ?? false;
  if (!errors.length || (!stop.signal.aborted && !cancelled)) {
    errors = [...errors, `the agent stopped without a valid ${o.submit.name} call (${result.status}${result.message ? `: ${result.message}` : ''})`];
  }
  return { ok: false, errors, attempts, usage: result.usage, cancelled };
}

import { z } from 'zod';
import type { ToolCall } from '@caid/llm';
import type { Tool, ToolContext } from './define-tool.js';

export interface ToolCallOutcome {
  content: string;
  /** The call itself was malformed (unknown tool, bad JSON, schema violation). */
  formatError: boolean;
  finish?: string;
}

/** Runs one tool call; every failure becomes text the model reads, never an exception. */
export async function executeToolCall(tools: Map<string, Tool>, call: ToolCall, ctx: ToolContext): Promise<ToolCallOutcome> {
  const tool = tools.get(call.function.name);
  if (!tool) {
    return { formatError: true, content: `Error: unknown tool "${call.function.name}". Available tools: ${[...tools.keys()].join(', ')}.` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(call.function.arguments || '{}');
  } catch (e) {
    return { formatError: true, content: `Error: the arguments of ${call.function.name} are not valid JSON (${(e as Error).message}). Send a JSON object.` };
  }
  const parsed = tool.schema.safeParse(raw);
  if (!parsed.success) {
    return { formatError: true, content: `Error: invalid arguments for ${call.function.name}:\n${z.prettifyError(parsed.error)}` };
  }
  try {
    const out = await tool.execute(parsed.data, ctx);
    return typeof out === 'string' ? { content: out, formatError: false } : { content: out.output, formatError: false, finish: out.finish };
  } catch (e) {
    return { formatError: false, content: `Error: ${(e as Error).message}` };
  }
}

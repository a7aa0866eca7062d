import { z } from 'zod';
import type { ToolSpec } from '@caid/llm';

/** What a tool hands back: text for the model; `finish` ends the conversation with a summary. */
export type ToolOutput = string | { output: string; finish?: string };

export interface ToolContext {
  signal: AbortSignal;
}

export interface Tool {
  readonly spec: ToolSpec;
  readonly schema: z.ZodType;
  execute(args: unknown, ctx: ToolContext): Promise<ToolOutput>;
}

/** A tool is data: a name, a zod schema for its arguments, and a function bound to its directory. */
export function defineTool<S extends z.ZodType>(def: {
  name: string;
  description: string;
  schema: S;
  execute: (args: z.output<S>, ctx: ToolContext) => Promise<ToolOutput>;
}): Tool {
  // No `strict`: local servers' grammar converters choke on it (libs.md 1.5).
  const { $schema: _drop, ...parameters } = z.toJSONSchema(def.schema, { target: 'draft-07', io: 'input' }) as Record<string, unknown>;
  return {
    spec: { name: def.name, description: def.description, parameters },
    schema: def.schema,
    execute: (args, ctx) => def.execute(args as z.output<S>, ctx),
  };
}

/** OpenAI chat-completions message shapes: the transcript stores exactly these. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}
export type AssistantMessage = { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] };
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | AssistantMessage
  | { role: 'tool'; tool_call_id: string; content: string };

/** A function tool as the model sees it; `parameters` is a JSON Schema (draft-07, no `$schema`). */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Set when the server reported no usage and the figures are ~4-characters-a-token estimates. */
  estimated?: true;
}

/** A piece of a reply as it streams in: text, or part of tool call number `index` (id and name come with its first piece). */
export type StreamDelta = { text: string } | { tool: { index: number; id?: string; name?: string; arguments?: string } };

export interface ModelRequest {
  messages: ChatMessage[];
  tools: ToolSpec[];
  signal?: AbortSignal;
  maxTokens?: number;
  /** While a streamed reply arrives: the usage so far (estimated), so a budget can stop a runaway generation. */
  onProgress?: (partial: TokenUsage) => void;
  /**
   * Asks for the reply as it is generated (the request is streamed upstream): every piece is passed
   * on at once. Once a piece has been passed on, a failure is final: a retry would repeat the text.
   */
  onDelta?: (delta: StreamDelta) => void;
}

export interface ModelReply {
  message: AssistantMessage;
  /** As the server said it: 'stop' | 'tool_calls' | 'length' | ... */
  finishReason: string;
  usage: TokenUsage;
}

/** The one thing an agent needs from a model. */
export interface Model {
  readonly name: string;
  /** Tokens the server's context holds, when known: agents condense their history before reaching it. */
  readonly contextWindow?: number;
  /** Asks the server (once per endpoint) for the context it really runs with; `contextWindow` is that afterwards. */
  learnContext?(): Promise<void>;
  complete(request: ModelRequest): Promise<ModelReply>;
}

/** A model call that failed for good (after retries). Never carries the API key. */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    message: string,
    readonly status?: number,
    readonly retryable = false,
    /** From the server's Retry-After header, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The server refused the prompt as too long for the model's context window. */
export const isContextOverflow = (e: unknown): boolean =>
  e instanceof ModelError && e.status === 400 &&
  /context[ _-]?(length|window)|maximum context|too many tokens|prompt is too long|exceeds? the (model'?s? |available )?context|n_ctx|exceed_context_size_error/i.test(e.message);

/**
 * The server could not parse the model's own output as a tool call and answered 5xx (llama-server:
 * 500 "The model produced output that does not match the expected peg-native format"). The request
 * was fine: retrying it as a server error wastes time; the agent treats it like a malformed reply.
 */
export const isMalformedReplyError = (e: unknown): boolean =>
  e instanceof ModelError && e.status !== undefined && e.status >= 500 && MALFORMED_OUTPUT.test(e.message);

export const MALFORMED_OUTPUT = /model produced output that does not match|does not match the expected [\w-]+ format|failed to parse tool call/i;

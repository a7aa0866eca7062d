import type { Conversation } from './conversation.js';

export interface ScriptedToolCall {
  name: string;
  /** An object is sent JSON-encoded; a string is sent raw, so tests can send malformed JSON. */
  arguments: unknown;
}

export interface ScriptedReply {
  content?: string | null;
  toolCalls?: ScriptedToolCall[];
  /** Default 'tool_calls' when there are tool calls, else 'stop'. */
  finishReason?: string;
  /** Wait this long before answering, to play a slow model. */
  delayMs?: number;
  /** Streamed replies: wait this long between SSE events, to play a model generating token by token. */
  chunkDelayMs?: number;
  /**
   * Streamed replies: awaited after the first piece of the reply (the first event after the opening
   * one) is written and before the rest, so a test can hold the upstream mid-reply until its client
   * has seen that piece: ordering instead of timing.
   */
  afterFirstChunk?: () => Promise<void>;
  /** Streamed replies: cut the connection after the first piece, like a server that dies mid-reply. */
  dropAfterFirstChunk?: boolean;
  /** Called once the whole reply is written (streamed or not). */
  onSent?: () => void;
  /** Send no usage (chat completions: no usage field or chunk), like servers that report none. */
  omitUsage?: boolean;
  /** Default: a deterministic estimate of ~4 characters per token. */
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Answer with this HTTP error status instead (e.g. 429 with a `retry-after` header). */
  status?: number;
  /** The error message of an HTTP error reply. */
  error?: string;
  headers?: Record<string, string>;
}

export interface ScriptRule {
  /** Recorded in `requests[].rule` when the rule answers; unnamed rules are recorded as `#<index>`. */
  name?: string;
  when: (c: Conversation) => boolean;
  reply: ScriptedReply | ((c: Conversation) => ScriptedReply);
}

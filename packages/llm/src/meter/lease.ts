import type { Model, TokenUsage } from '../model.js';
import type { Protocol } from '../protocols/error-body.js';

/** What one client (a task's external agent) may use the endpoint for, and where its usage goes. */
export interface LeaseOptions {
  /** The upstream: the worker role's model (with its limiter, retries, timeouts, key and recording). */
  model: Model;
  /**
   * Called after every answered request with its tokens and cost (`usage.estimated` when the upstream
   * reported none), and after a streamed reply that was cut or that the client hung up on, with an estimate.
   */
  onUsage?: (usage: TokenUsage, info: { protocol: Protocol; model: string }) => void;
  /**
   * While a streamed reply comes in: its usage so far (estimated). A returned reason (the budget is
   * spent) cuts the reply: the upstream is aborted and the client's stream ends cleanly, as a reply
   * cut at its token limit.
   */
  onProgress?: (partial: TokenUsage) => string | undefined;
  /** A reason to refuse the request before it goes upstream (the budget is spent); the client gets a 400 it stops on. */
  admit?: () => string | undefined;
  /** For error messages and logs. */
  label?: string;
}

export interface Lease {
  /** Random, per lease; the client sends it as `Authorization: Bearer` or `x-api-key`. Not the user's key. */
  token: string;
  /** For OpenAI clients (chat completions and Responses): `http://127.0.0.1:PORT/v1`. */
  openaiBaseUrl: string;
  /** For Anthropic clients, which append `/v1/messages` themselves: `http://127.0.0.1:PORT`. */
  anthropicBaseUrl: string;
  /** The model name to give the client (any name is accepted; this one shows in replies). */
  model: string;
  /** Revokes the token: later requests with it get 401. */
  release(): void;
}

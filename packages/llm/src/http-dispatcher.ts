import { Agent } from 'undici';

export interface HttpTimeouts {
  connectMs?: number;
  /** Time to the response headers: a slow local prefill of a long prompt can take many minutes. */
  headersMs?: number;
  /** Idle time between body chunks. */
  bodyMs?: number;
}

/**
 * An undici agent whose timeouts come from config. Node's global fetch cuts any response after
 * 300 s without headers (openai-node#2153), which kills slow local prefill; default here is 30 min.
 */
export function httpDispatcher(t: HttpTimeouts = {}): Agent {
  return new Agent({
    connectTimeout: t.connectMs ?? 30_000,
    headersTimeout: t.headersMs ?? 30 * 60_000,
    bodyTimeout: t.bodyMs ?? 30 * 60_000,
  });
}

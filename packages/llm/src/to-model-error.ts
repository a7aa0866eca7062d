import { redactText } from '@caid/core';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { MALFORMED_OUTPUT, ModelError } from './model.js';
import { parseRetryAfter } from './retry.js';

export interface ErrorContext {
  apiKey: string;
  baseURL: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Turns anything the SDK throws into a ModelError. An abort (via `request.signal`) always becomes
 * `ModelError('aborted')`, status undefined, not retryable, whatever the SDK threw at that moment.
 */
export function toModelError(err: unknown, ctx: ErrorContext): ModelError {
  if (err instanceof ModelError) return err;
  if (ctx.signal?.aborted || err instanceof APIUserAbortError) return new ModelError('aborted');
  const scrub = (text: string) => scrubSecrets(text, ctx.apiKey);
  if (err instanceof APIConnectionTimeoutError) {
    const after = ctx.timeoutMs !== undefined ? ` after ${ctx.timeoutMs} ms` : '';
    return new ModelError(scrub(`model request to ${endpoint(ctx.baseURL)} timed out${after}`), undefined, true);
  }
  if (err instanceof APIConnectionError) {
    return new ModelError(scrub(`cannot reach model server at ${endpoint(ctx.baseURL)}: ${causeText(err)}`), undefined, true);
  }
  if (err instanceof APIError) {
    // An unparseable reply is the model's fault, not the server's: not worth retrying as a 5xx.
    const retryable = err.status !== undefined && isRetryableStatus(err.status) && !MALFORMED_OUTPUT.test(err.message);
    return new ModelError(scrub(`${err.message}${err.status === 404 ? missingV1(ctx.baseURL) : ''}`), err.status, retryable, parseRetryAfter(err.headers));
  }
  return new ModelError(scrub(err instanceof Error ? err.message : String(err)));
}

/** The statuses the SDK itself retries: worth retrying later once its own retries ran out. */
const isRetryableStatus = (status: number): boolean => status === 408 || status === 409 || status === 429 || status >= 500;

/**
 * Servers echo keys back ("Incorrect API key provided: sk-…"), so remove the configured key and
 * anything shaped like a bearer token or an OpenAI-style key before a message reaches a log.
 */
export function scrubSecrets(text: string, apiKey: string): string {
  // The one secret rule (core): the key itself (a very short one would match ordinary words; the
  // token shapes still catch real keys), URL credentials, token shapes and Authorization values.
  return redactText(text, apiKey.length >= 8 ? [apiKey] : []);
}

/**
 * A 404 from a base URL without /v1 is nearly always the path: Ollama, llama.cpp, vLLM and LM Studio
 * serve the OpenAI API under /v1, and a bare `http://127.0.0.1:11434` answers "404 page not found".
 */
function missingV1(baseURL: string): string {
  const at = endpoint(baseURL);
  if (at.startsWith('(') || /\/v1(\/|$)/.test(new URL(at).pathname)) return '';
  const base = at.replace(/\/+$/, '');
  return ` (the base URL ${base} has no /v1; Ollama, llama.cpp, vLLM and LM Studio serve the OpenAI API under ${base}/v1)`;
}

// Origin and path only: a query string or user-info part of the base URL may hold credentials.
function endpoint(baseURL: string): string {
  try {
    const u = new URL(baseURL);
    return `${u.origin}${u.pathname}`;
  } catch {
    // expected: only names the endpoint in a message; settings reject a bad URL before any request
    return '(invalid base URL)';
  }
}

// fetch reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND) in nested causes.
function causeText(err: Error): string {
  const parts: string[] = [];
  for (let e: unknown = err.cause; e instanceof Error && parts.length < 3; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${e.message} (${code})` : e.message);
  }
  return parts.join(': ') || err.message;
}

import { anthropicBody, anthropicEvents } from './anthropic-payloads.js';
import { completionBody, completionEvents } from './chat-payloads.js';
import type { Protocol } from './error-body.js';
import type { ParsedRequest } from './parsed-request.js';
import type { ReplyMeta, ReplyParts, SseEvent } from './reply-parts.js';
import { responsesBody, responsesEvents } from './responses-payloads.js';
import { parseAnthropicRequest } from './anthropic-request.js';
import { parseChatRequest } from './chat-request.js';
import { parseResponsesRequest } from './responses-request.js';

/** A request of any protocol, read; `customTools` is set for Responses requests only. */
export type ClientRequest = ParsedRequest & { protocol: Protocol; customTools?: string[] };

/** Which protocol a path speaks (`/v1` optional, trailing slash ignored), if any. */
export function protocolOfPath(path: string): Protocol | undefined {
  const p = path.replace(/\/+$/, '').replace(/^\/v1(?=\/)/, '');
  return p === '/chat/completions' ? 'chat' : p === '/responses' ? 'responses' : p === '/messages' ? 'anthropic' : undefined;
}

export function parseClientRequest(protocol: Protocol, body: Record<string, unknown>): ClientRequest {
  if (protocol === 'responses') return { ...parseResponsesRequest(body), protocol };
  if (protocol === 'anthropic') return { ...parseAnthropicRequest(body), protocol };
  return { ...parseChatRequest(body), protocol };
}

/** Ids look like the real services' (`chatcmpl-`, `resp_`, `msg_`): some clients check prefixes. */
export function replyId(protocol: Protocol, suffix: string): string {
  return protocol === 'chat' ? `chatcmpl-${suffix}` : protocol === 'responses' ? `resp_${suffix}` : `msg_${suffix}`;
}

/** The reply in the request's protocol: one JSON body, or the SSE events of a stream. */
export function encodeReply(req: ClientRequest, parts: ReplyParts, meta: ReplyMeta): { json: object } | { events: SseEvent[] } {
  if (req.protocol === 'responses') return req.stream ? { events: responsesEvents(parts, meta, req.customTools) } : { json: responsesBody(parts, meta, req.customTools) };
  if (req.protocol === 'anthropic') return req.stream ? { events: anthropicEvents(parts, meta) } : { json: anthropicBody(parts, meta) };
  return req.stream ? { events: completionEvents(parts, meta, req.includeUsage === true) } : { json: completionBody(parts, meta) };
}

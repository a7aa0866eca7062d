import type { ServerResponse } from 'node:http';
import { logger } from '@caid/log';
import { failedRequestUsage } from '../failed-usage.js';
import { type ModelRequest, ModelError, type TokenUsage } from '../model.js';
import type { ClientRequest } from '../protocols/encode-reply.js';
import { errorBody } from '../protocols/error-body.js';
import { liveReply } from '../protocols/live-encoders.js';
import { type ReplyMeta, type SseEvent, sseFrame } from '../protocols/reply-parts.js';
import { streamErrorEvents } from '../protocols/stream-error.js';
import { estimateTokens } from '../token-usage.js';
import type { LeaseOptions } from './lease.js';
import { replyPartsOf } from './reply-parts-of.js';
import { keepStreamAlive, openStream, sendJson } from './sse-response.js';

const log = logger('llm');

/**
 * Answers a streaming client as the upstream generates: each piece of the reply goes out in the
 * client's protocol as it arrives (the model streams upstream, applying its limiter, its retries
 * until the first piece and its recording). A reply the lease's budget cuts ends as a reply cut at
 * its token limit; its tokens, and those of a reply the client hung up on, are counted as estimated.
 */
export async function serveStream(
  req: ClientRequest, lease: LeaseOptions, res: ServerResponse,
  o: { request: ModelRequest; abort: AbortController; meta: ReplyMeta; keepAliveMs: number },
): Promise<void> {
  const promptTokens = estimateTokens(JSON.stringify(o.request.messages).length + JSON.stringify(o.request.tools).length);
  const live = liveReply(req, o.meta, promptTokens);
  const keepAlive = keepStreamAlive(res, o.keepAliveMs);
  const write = (events: SseEvent[]) => {
    if (events.length === 0 || res.writableEnded || res.destroyed) return;
    keepAlive.stop();
    if (!res.headersSent) openStream(res);
    res.write(events.map(sseFrame).join(''));
  };
  const info = { protocol: req.protocol, model: lease.model.name };
  let cut: string | undefined;
  const onProgress = (partial: TokenUsage) => {
    const reason = cut === undefined ? lease.onProgress?.(partial) : undefined;
    if (!reason) return;
    cut = reason;
    log.debug({ lease: lease.label, reason, partial }, 'metering endpoint: streamed reply cut by the budget');
    o.abort.abort();
  };
  let reply;
  try {
    reply = await lease.model.complete({ ...o.request, onProgress, onDelta: (d) => write(live.delta(d)) });
  } catch (err) {
    keepAlive.stop();
    const spent = failedRequestUsage(err);
    if (cut !== undefined || o.abort.signal.aborted) {
      // Generated up to the cut or the hang-up, whoever stopped it: those tokens were spent.
      const used: TokenUsage = { ...(spent ?? { inputTokens: promptTokens, outputTokens: 0, costUsd: 0 }), estimated: true };
      lease.onUsage?.(used, info);
      if (cut === undefined) return void log.debug({ lease: lease.label, used }, 'metering endpoint: client hung up mid-stream');
      const usage = { prompt_tokens: used.inputTokens, completion_tokens: used.outputTokens, total_tokens: used.inputTokens + used.outputTokens };
      write(live.finish(live.sent(usage)));
      return void res.end();
    }
    const e = err instanceof ModelError ? err : new ModelError(err instanceof Error ? err.message : String(err));
    // Retries already happened upstream: a 5xx or network failure is a bad gateway to the client.
    const status = e.status !== undefined && e.status >= 400 && e.status < 500 ? e.status : 502;
    const message = `upstream model: ${e.message}`;
    log.debug({ lease: lease.label, status, message, streamed: live.streaming }, 'metering endpoint: upstream failed');
    if (!res.headersSent) return sendJson(res, status, errorBody(req.protocol, status, message));
    const events = streamErrorEvents(req.protocol, status, message);
    // A Responses client already told response.created must not hear it twice.
    write(live.streaming ? events.filter((ev) => ev.event !== 'response.created') : events);
    return void res.end();
  }
  keepAlive.stop();
  if (reply.usage.estimated) log.debug({ lease: lease.label, usage: reply.usage }, 'metering endpoint: the upstream reported no usage; counted an estimate');
  lease.onUsage?.(reply.usage, info);
  write(live.finish(replyPartsOf(reply)));
  res.end();
}

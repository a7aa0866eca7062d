import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ChatMessage, type Model, type ModelReply, type ModelRequest, ModelError } from './model.js';

/** One recorded call: the request as sent to the model and the reply it gave. */
export interface RecordedCall {
  key: string;
  model: string;
  request: { messages: ChatMessage[]; tools: string[] };
  reply: ModelReply;
}

/**
 * Where a call sits in its conversation: the conversation's opening (system prompt and task) and
 * how far it has got (assistant turns, user turns). Tool outputs are left out on purpose: they
 * carry paths, timings and run ids that differ between a run and its replay.
 */
export function callKey(request: ModelRequest): string {
  const opening = request.messages.slice(0, 2).map((m) => `${m.role}:${m.content ?? ''}`).join('\n');
  const assistant = request.messages.filter((m) => m.role === 'assistant').length;
  const user = request.messages.filter((m) => m.role === 'user').length;
  return `${createHash('sha256').update(opening).digest('hex').slice(0, 16)}-a${assistant}-u${user}`;
}

/** Saves every request and reply of `inner` under `dir`, one JSON file per call; `scrub` cleans the text first (API keys). */
export function recordingModel(inner: Model, dir: string, scrub: (text: string) => string = (t) => t): Model {
  mkdirSync(dir, { recursive: true });
  return {
    name: inner.name,
    // A getter: the inner model learns the server's real context at its first request.
    get contextWindow() { return inner.contextWindow; },
    ...(inner.learnContext ? { learnContext: () => inner.learnContext!() } : {}),
    async complete(request) {
      const reply = await inner.complete(request);
      const key = callKey(request);
      const entry: RecordedCall = { key, model: inner.name, request: { messages: request.messages, tools: request.tools.map((t) => t.name) }, reply };
      writeFileSync(path.join(dir, `${key}.json`), `${scrub(JSON.stringify(entry, null, 2))}\n`);
      return reply;
    },
  };
}

/** Serves the replies of a recording back by call key; a call that was never recorded is a ModelError. */
export function replayModel(dir: string): Model {
  if (!existsSync(dir)) throw new ModelError(`no recording at ${dir}`);
  const calls = new Map<string, RecordedCall>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const entry = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as RecordedCall;
    calls.set(entry.key, entry);
  }
  const name = calls.values().next().value?.model ?? 'replay';
  return {
    name,
    async complete(request) {
      if (request.signal?.aborted) throw new ModelError('aborted');
      const hit = calls.get(callKey(request));
      if (!hit) throw new ModelError(`replay: no recorded reply for call ${callKey(request)} in ${dir} (the run diverged from the recording)`, 404);
      return structuredClone(hit.reply);
    },
  };
}

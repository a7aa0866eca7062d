import type { StreamDelta } from '../model.js';
import { pieces, type ReplyParts, type SseEvent } from './reply-parts.js';

/** One block of a reply being streamed: a run of text, or one tool call (`n`: its place among the tool calls). */
export type LiveBlock =
  | { kind: 'text'; at: number; text: string }
  | { kind: 'tool'; at: number; n: number; index: number; id: string; name: string; arguments: string; open: boolean };

/** A protocol's events for each step of a reply streamed as it is generated. */
export interface BlockEncoder {
  start(): SseEvent[];
  open(b: LiveBlock): SseEvent[];
  piece(b: LiveBlock, piece: string): SseEvent[];
  close(b: LiveBlock): SseEvent[];
  /** The end of the stream: stop reason and usage, from the finished reply (tool-call ids as streamed). */
  end(parts: ReplyParts, blocks: readonly LiveBlock[]): SseEvent[];
}

/**
 * Turns the upstream's deltas into a client protocol's SSE events as they come (`delta`), then ends
 * the stream from the finished reply (`finish`). A reply that streamed nothing (a server that cannot
 * stream tool calls, text-protocol tool calls, a replay) is sent whole at `finish`. Tool calls are
 * taken to stream one after another, as OpenAI, vLLM and llama-server send them: a piece for a call
 * already closed is kept for the final reply but cannot be streamed again.
 */
export class LiveReply {
  readonly blocks: LiveBlock[] = [];
  private started = false;
  private tools = 0;

  constructor(private readonly enc: BlockEncoder, private readonly newId: (n: number) => string) {}

  /** True once the client has been sent anything of the reply. */
  get streaming(): boolean {
    return this.started;
  }

  delta(d: StreamDelta): SseEvent[] {
    const out = this.begin();
    const current = this.blocks.at(-1);
    if ('text' in d) {
      if (!d.text) return out;
      let b = current;
      if (b?.kind !== 'text') {
        out.push(...this.closeCurrent());
        b = { kind: 'text', at: this.blocks.length, text: '' };
        this.blocks.push(b);
        out.push(...this.enc.open(b));
      }
      b.text += d.text;
      out.push(...this.enc.piece(b, d.text));
      return out;
    }
    const t = d.tool;
    let b = this.blocks.find((x): x is Extract<LiveBlock, { kind: 'tool' }> => x.kind === 'tool' && x.index === t.index);
    if (!b) {
      out.push(...this.closeCurrent());
      const n = this.tools++;
      b = { kind: 'tool', at: this.blocks.length, n, index: t.index, id: t.id ?? this.newId(n), name: '', arguments: '', open: false };
      this.blocks.push(b);
    }
    if (t.name && !b.name) b.name = t.name;
    if (t.arguments) b.arguments += t.arguments;
    if (b !== this.blocks.at(-1)) return out;
    // A call opens once its name is known; arguments that came before go out with the opening.
    if (!b.open && b.name) {
      b.open = true;
      out.push(...this.enc.open(b));
      if (b.arguments) out.push(...this.enc.piece(b, b.arguments));
    } else if (b.open && t.arguments) out.push(...this.enc.piece(b, t.arguments));
    return out;
  }

  /** The rest of the stream once the reply is complete (or cut: then `parts` says what was sent, finish reason 'length'). */
  finish(parts: ReplyParts): SseEvent[] {
    const out = this.begin();
    if (this.blocks.length === 0) {
      for (const text of pieces(parts.content ?? '')) out.push(...this.delta({ text }));
      parts.toolCalls.forEach((c, index) => {
        out.push(...this.delta({ tool: { index, id: c.id, name: c.name } }));
        for (const a of pieces(c.arguments)) out.push(...this.delta({ tool: { index, arguments: a } }));
      });
    }
    // A call whose name never streamed takes it from the finished reply.
    for (const b of this.blocks) if (b.kind === 'tool' && !b.name) b.name = parts.toolCalls[b.n]?.name ?? 'unknown';
    out.push(...this.closeCurrent());
    const toolCalls = parts.toolCalls.map((c, i) => {
      const b = this.blocks.find((x) => x.kind === 'tool' && x.n === i);
      return b?.kind === 'tool' ? { ...c, id: b.id } : c;
    });
    out.push(...this.enc.end({ ...parts, toolCalls }, this.blocks));
    return out;
  }

  /** What was streamed so far, as a reply (for a stream cut by the budget). */
  sent(usage: ReplyParts['usage']): ReplyParts {
    const text = this.blocks.map((b) => (b.kind === 'text' ? b.text : '')).join('');
    const toolCalls = this.blocks.flatMap((b) => (b.kind === 'tool' && b.name ? [{ id: b.id, name: b.name, arguments: b.arguments }] : []));
    return { content: text || null, toolCalls, finishReason: 'length', usage };
  }

  private begin(): SseEvent[] {
    if (this.started) return [];
    this.started = true;
    return this.enc.start();
  }

  private closeCurrent(): SseEvent[] {
    const b = this.blocks.at(-1);
    if (!b) return [];
    if (b.kind === 'tool' && !b.open) {
      if (!b.name) return [];
      b.open = true;
      return [...this.enc.open(b), ...(b.arguments ? this.enc.piece(b, b.arguments) : []), ...this.enc.close(b)];
    }
    return this.enc.close(b);
  }
}

import { clock } from './format.js';
import { h } from './element.js';

/** A transcript line as the worker writes it (`tasks/<taskId>.jsonl`); read loosely, shown as text. */
export interface TranscriptRecord {
  t: 'round' | 'message' | 'note' | 'end';
  at?: string;
  attempt?: number;
  round?: string;
  status?: string;
  reason?: string;
  message?: unknown;
  text?: string;
}

interface LooseMessage {
  role?: string;
  content?: string | null;
  tool_calls?: { function?: { name?: string; arguments?: string } }[];
}

const LONG = 1500;

/** Long text folds into a <details> so a 10 000-line tool result does not bury the conversation. */
function textBlock(text: string, cls: string): HTMLElement {
  if (text.length <= LONG) return h('pre', { class: cls }, text);
  return h('details', { class: cls }, h('summary', {}, `${text.slice(0, 120)}… (${text.length} characters)`), h('pre', {}, text));
}

function prettyArgs(raw: string | undefined): string {
  try {
    return JSON.stringify(JSON.parse(raw ?? ''), null, 2);
  } catch {
    // expected: arguments the model wrote as broken JSON are shown as written
    return raw ?? '';
  }
}

function messageView(m: LooseMessage, at: string | undefined): HTMLElement {
  const role = m.role ?? 'unknown';
  return h('div', { class: `msg msg-${role}` },
    h('div', { class: 'msg-head' }, role, ' ', h('span', { class: 'muted' }, clock(at))),
    m.content ? textBlock(m.content, 'msg-text') : null,
    ...(m.tool_calls ?? []).map((c) => h('div', { class: 'tool-call' },
      h('span', { class: 'tool-name' }, `→ ${c.function?.name ?? '?'}`), textBlock(prettyArgs(c.function?.arguments), 'tool-args'))));
}

export function transcriptView(records: TranscriptRecord[]): HTMLElement {
  if (!records.length) return h('p', { class: 'muted' }, 'No transcript yet.');
  return h('div', { class: 'transcript' }, ...records.map((r) => {
    switch (r.t) {
      case 'round': return h('div', { class: 'round-head' }, `round ${r.attempt ?? ''} (${r.round ?? ''}) at ${clock(r.at)}`);
      case 'message': return messageView((r.message ?? {}) as LooseMessage, r.at);
      case 'note': return h('div', { class: 'note' }, textBlock(r.text ?? '', 'note-text'));
      case 'end': return h('div', { class: 'round-end' }, `round ${r.attempt ?? ''} ended: ${r.status ?? ''}${r.reason ? ` (${r.reason})` : ''}`);
      default: return h('div', { class: 'muted' }, JSON.stringify(r));
    }
  }));
}

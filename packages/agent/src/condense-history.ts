import type { ChatMessage, ToolCall } from '@caid/llm';

const KEEP_CHARS = 300;

/**
 * Makes a conversation fit again after the server cut a reply (`finish_reason: "length"`) or
 * refused the prompt as too long. The system prompt, the task and the last `keepRecent` messages
 * stay as they are; older tool outputs and long tool arguments are cut to their first lines. If
 * nothing is left to cut, the oldest half of the middle turns is dropped. Returns null when the
 * history cannot get any shorter.
 */
export function condenseHistory(history: readonly ChatMessage[], keepRecent = 6): ChatMessage[] | null {
  const head = history.slice(0, 2);
  let cut = Math.max(2, history.length - keepRecent);
  // Never separate tool results from the assistant message that asked for them.
  while (cut > 2 && history[cut]?.role === 'tool') cut--;
  const middle = history.slice(2, cut);
  const tail = history.slice(cut);
  let changed = false;
  const trimmed = middle.map((m): ChatMessage => {
    if (m.role === 'tool' && m.content.length > KEEP_CHARS) {
      changed = true;
      return { ...m, content: `${m.content.slice(0, KEEP_CHARS)}\n[... ${m.content.length - KEEP_CHARS} characters of old output removed to save context]` };
    }
    if (m.role === 'assistant' && m.tool_calls?.some((c) => c.function.arguments.length > KEEP_CHARS)) {
      changed = true;
      return { ...m, tool_calls: m.tool_calls.map(shortenArguments) };
    }
    return m;
  });
  if (changed) return [...head, ...trimmed, ...tail];
  // Drop whole turns: start the kept part at an assistant or user message.
  let drop = Math.floor(middle.length / 2);
  while (drop < middle.length && middle[drop]!.role === 'tool') drop++;
  if (drop === 0) return null;
  const note: ChatMessage = { role: 'user', content: `[${drop} earlier messages were removed to fit the context window. Re-read files if you need them.]` };
  return [...head, note, ...middle.slice(drop), ...tail];
}

function shortenArguments(c: ToolCall): ToolCall {
  if (c.function.arguments.length <= KEEP_CHARS) return c;
  let args: unknown;
  // expected: arguments the model wrote as broken JSON were answered with an error already; condensed to nothing.
  try { args = JSON.parse(c.function.arguments); } catch { return { ...c, function: { ...c.function, arguments: '{}' } }; }
  const short = Object.fromEntries(Object.entries(args as Record<string, unknown>).map(([k, v]) => (
    [k, typeof v === 'string' && v.length > KEEP_CHARS ? `${v.slice(0, 100)}[... ${v.length - 100} characters removed]` : v]
  )));
  return { ...c, function: { ...c.function, arguments: JSON.stringify(short) } };
}

import type { ChatMessage, ModelRequest, ToolSpec } from './model.js';
import type { RawToolCall } from './normalise-message.js';

/**
 * Tool calls for models without native tool support: the tools are described in the system
 * message, the model answers with a fenced JSON block, and the history is rewritten to plain
 * text turns (calls as JSON blocks, results as user messages) that such servers accept.
 */
export function toTextToolRequest(request: ModelRequest): ModelRequest {
  if (request.tools.length === 0) return request;
  const names = new Map<string, string>();
  const messages: ChatMessage[] = [];
  for (const m of request.messages) {
    if (m.role === 'assistant' && m.tool_calls?.length) {
      for (const c of m.tool_calls) names.set(c.id, c.function.name);
      const blocks = m.tool_calls.map((c) => block(c.function.name, c.function.arguments));
      messages.push({ role: 'assistant', content: [m.content, ...blocks].filter(Boolean).join('\n') });
    } else if (m.role === 'tool') {
      messages.push({ role: 'user', content: `Result of ${names.get(m.tool_call_id) ?? 'the tool'}:\n${m.content}` });
    } else {
      messages.push(m);
    }
  }
  const guide = toolGuide(request.tools);
  const first = messages[0];
  if (first?.role === 'system') messages[0] = { role: 'system', content: `${first.content}\n\n${guide}` };
  else messages.unshift({ role: 'system', content: guide });
  return { ...request, messages, tools: [] };
}

function block(name: string, args: string): string {
  let parsed: unknown = args;
  try {
    parsed = JSON.parse(args || '{}');
  } catch {
    // expected: not JSON, keep the model's raw text
  }
  return `\`\`\`json\n${JSON.stringify({ tool: name, arguments: parsed })}\n\`\`\``;
}

function toolGuide(tools: ToolSpec[]): string {
  return [
    '# Tools',
    'You call a tool by replying with one fenced JSON block, and nothing after it:',
    '```json',
    '{"tool": "<tool name>", "arguments": { ... }}',
    '```',
    'The result comes back in the next message. Available tools (arguments as JSON Schema):',
    ...tools.map((t) => `- ${t.name}: ${t.description}\n  arguments: ${JSON.stringify(t.parameters)}`),
  ].join('\n');
}

const FENCED = /```(?:json|tool_call|tool)?\s*\n?([\s\S]*?)```/g;

/** Tool calls written as JSON in reply text; the text without those blocks stays as content. */
export function parseTextToolCalls(text: string | null | undefined): { content: string | null; calls: RawToolCall[] } {
  if (!text) return { content: text ?? null, calls: [] };
  const calls: RawToolCall[] = [];
  let rest = text.replace(FENCED, (whole, body: string) => {
    const call = toCall(body);
    if (!call) return whole;
    calls.push(call);
    return '';
  });
  // Some models drop the fence and answer with the bare object.
  if (calls.length === 0) {
    const call = toCall(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
    if (call) { calls.push(call); rest = text.slice(0, text.indexOf('{')); }
  }
  const content = rest.trim();
  return { content: content || null, calls };
}

function toCall(body: string): RawToolCall | undefined {
  let o: unknown;
  try { o = JSON.parse(body.trim()); } catch { return undefined; } // expected: not JSON is prose, not a tool call
  if (!o || typeof o !== 'object') return undefined;
  const r = o as Record<string, unknown>;
  const fn = (r.function && typeof r.function === 'object' ? r.function : r) as Record<string, unknown>;
  const name = fn.tool ?? fn.name;
  if (typeof name !== 'string' || !name) return undefined;
  const args = fn.arguments ?? fn.args ?? fn.parameters ?? {};
  return { type: 'function', function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) } };
}

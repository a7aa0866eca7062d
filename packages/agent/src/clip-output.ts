/** Keeps the head and tail of long text, so the model sees how a command started and how it ended. */
export function clipOutput(text: string, max = 12_000): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  const cut = text.length - 2 * half;
  return `${text.slice(0, half)}\n[... ${cut} characters cut ...]\n${text.slice(-half)}`;
}

/** The last `max` characters, cut at a line start: for verify output sent back to an agent. */
export function tailOutput(text: string, max = 6_000): string {
  if (text.length <= max) return text;
  const tail = text.slice(-max);
  const nl = tail.indexOf('\n');
  return `[... earlier output cut ...]\n${nl >= 0 && nl < 200 ? tail.slice(nl + 1) : tail}`;
}

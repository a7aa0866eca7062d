/** Whether the function enclosing `line` (1-based) is a stub: its body is only `pass`, `...`, or raises NotImplementedError / throws. */
export function isStubAt(source: string, line: number): boolean {
  const lines = source.split('\n');
  const here = lines[line - 1] ?? '';
  if (/^\s*(raise NotImplementedError\b|throw new Error\(\s*['"`](not implemented|todo|unimplemented))/i.test(here)) return true;
  const indent = (s: string) => /^\s*/.exec(s)![0].length;
  let def = line - 1;
  while (def >= 0 && !(/^\s*(async\s+)?def\s/.test(lines[def]!) && indent(lines[def]!) < indent(here))) def--;
  if (def < 0) return false;
  const body: string[] = [];
  for (let i = def + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.trim() || l.trim().startsWith('#')) continue;
    if (indent(l) <= indent(lines[def]!)) break;
    body.push(l.trim());
  }
  const code = body.join('\n').replace(/^[rbuRBU]?("""|''')[\s\S]*?\1\s*/, '').replace(/^[rbuRBU]?(["'])[^\n]*?\1\s*/, '').trim();
  return /^(pass|\.\.\.|raise NotImplementedError(\(.*\))?)$/.test(code);
}

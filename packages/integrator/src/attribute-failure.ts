import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A task not merged yet and the files it owns (its plan `files`). */
export interface PendingTask { taskId: string; files: readonly string[] }

export interface Waiting {
  test: string;
  /** The task not yet merged that owns the code the failure ends in; absent for a stub no pending task owns. */
  task?: string;
  /** `file:line` the failure ends in. */
  at: string;
}

/** Frames of a Python or JavaScript traceback, outermost first. */
function frames(detail: string): { file: string; line: number }[] {
  const out: { file: string; line: number; pos: number }[] = [];
  for (const m of detail.matchAll(/^\s*(\S+\.py):(\d+): /gm)) out.push({ file: m[1]!, line: Number(m[2]), pos: m.index! });
  for (const m of detail.matchAll(/File "([^"]+)", line (\d+)/g)) out.push({ file: m[1]!, line: Number(m[2]), pos: m.index! });
  const js: { file: string; line: number; pos: number }[] = [];
  for (const m of detail.matchAll(/\bat (?:.*? \()?(?:file:\/\/)?([^\s()]+?):(\d+):\d+\)?$/gm)) js.push({ file: m[1]!, line: Number(m[2]), pos: m.index! });
  // a JS stack lists the innermost frame first
  return [...out.sort((a, b) => a.pos - b.pos), ...js.reverse()];
}

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

/**
 * Why a test newly fails, when the merge is not its cause: its traceback ends (innermost frame
 * inside the repository) in a file a pending task owns, or in a function that is still a stub.
 * Null: the failure is held against the merge.
 */
export function attributeFailure(test: string, detail: string | undefined, cwd: string, pending: readonly PendingTask[]): Waiting | null {
  if (!detail) return null;
  const root = path.resolve(cwd);
  for (const f of frames(detail).reverse()) {
    const abs = path.resolve(root, f.file);
    const rel = path.relative(root, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split(path.sep).includes('site-packages') || rel.split(path.sep).includes('node_modules')) continue;
    const at = `${rel}:${f.line}`;
    const owner = pending.find((p) => p.files.some((x) => path.normalize(x) === rel));
    if (owner) return { test, task: owner.taskId, at };
    if (existsSync(abs) && isStubAt(readFileSync(abs, 'utf8'), f.line)) return { test, at };
    return null;
  }
  return null;
}

import path from 'node:path';

export type ImportGraph = Map<string, string[]>;

const JS_EXT = /\.(?:[cm]?[jt]sx?)$/;
const JS_TRY = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];
// import x from 'a'; import {x} from "a"; export * from 'a'; import 'a'; require('a'); import('a')
const JS_SPECIFIERS = [
  /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"\n]+)['"]/g,
  /\bimport\s*['"]([^'"\n]+)['"]/g,
  /\b(?:require|import)\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g,
];

/** Module specifiers a JS/TS source names in import, export-from, require() and import() forms. */
export function jsSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = new Set<string>();
  for (const re of JS_SPECIFIERS) for (const m of code.matchAll(re)) found.add(m[1]!);
  return [...found];
}

export interface PyImport {
  /** Leading dots of a relative import (0 for absolute). */
  level: number;
  module: string;
  /** Names after `from x import` (each may be a submodule). */
  names: string[];
}

/** `import a.b, c as d` and `from .x import (y, z)` statements of a Python source. */
export function pyImports(source: string): PyImport[] {
  const code = source.replace(/("""|''')[\s\S]*?\1/g, '').replace(/#.*$/gm, '');
  const out: PyImport[] = [];
  for (const m of code.matchAll(/^[ \t]*import[ \t]+([\w. \t,]+)$/gm)) {
    for (const part of m[1]!.split(',')) {
      const module = part.trim().split(/\s+as\s+/)[0]!.trim();
      if (module) out.push({ level: 0, module, names: [] });
    }
  }
  for (const m of code.matchAll(/^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]+)/gm)) {
    const names = m[3]!.replace(/[()\\]/g, ' ').split(',').map((n) => n.trim().split(/\s+as\s+/)[0]!.trim()).filter((n) => /^\w+$/.test(n));
    out.push({ level: m[1]!.length, module: m[2]!, names });
  }
  return out;
}

function resolveJs(from: string, spec: string, files: Set<string>): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const stem = base.replace(/\.(?:[cm]?js|jsx)$/, '');
  const tries = [base, ...JS_TRY.map((e) => stem + e), ...JS_TRY.map((e) => `${base}/index${e}`)];
  return tries.find((f) => files.has(f)) ?? null;
}

function resolvePy(from: string, imp: PyImport, files: Set<string>, roots: string[]): string[] {
  const asFile = (dir: string) => [`${dir}.py`, `${dir}/__init__.py`].find((f) => files.has(f));
  const bases = imp.level > 0
    ? [path.posix.join(...[path.posix.dirname(from), ...Array(imp.level - 1).fill('..')])]
    : roots;
  for (const b of bases) {
    const dir = path.posix.normalize(path.posix.join(b, ...imp.module.split('.').filter(Boolean)));
    const subs = imp.names.map((n) => asFile(path.posix.join(dir, n))).filter((f): f is string => !!f);
    const own = imp.module ? asFile(dir) : undefined;
    const hits = [...(own ? [own] : []), ...subs];
    if (hits.length) return hits;
  }
  return [];
}

/**
 * Who imports whom among the repository's own TS/JS and Python files (relative paths with
 * `/`): external packages are left out. `read` returns a file's text.
 */
export function importGraph(paths: string[], read: (file: string) => string): ImportGraph {
  const files = new Set(paths);
  const roots = ['', ...['src', 'lib'].filter((r) => paths.some((p) => p.startsWith(`${r}/`)))];
  const graph: ImportGraph = new Map();
  for (const f of paths) {
    let targets: string[] = [];
    if (JS_EXT.test(f) && !f.endsWith('.d.ts')) {
      targets = jsSpecifiers(read(f)).map((s) => resolveJs(f, s, files)).filter((t): t is string => !!t);
    } else if (f.endsWith('.py')) {
      targets = pyImports(read(f)).flatMap((i) => resolvePy(f, i, files, roots));
    } else continue;
    const unique = [...new Set(targets)].filter((t) => t !== f).sort();
    if (unique.length) graph.set(f, unique);
  }
  return graph;
}

/** Groups of files that import each other in a cycle (strongly connected, size > 1), by Tarjan. */
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); group.push(w); } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

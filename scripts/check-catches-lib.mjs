import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';

// Issue 18: no error is swallowed without a trace. A `catch` clause or `.catch(handler)` passes
// when its body rethrows, logs (a `*log*.debug|info|warn|error|trace|fatal(` call), looks at the
// caught value (then the error is handed on as a value: returned, reported, compared), or says
// why silence is right with a `// expected:` comment. Everything else is a swallowed error.

const LOG_CALL = /\b\w*log\w*\s*\.\s*(?:debug|trace|info|warn|error|fatal|dropped)\s*\(/i;
const EXPECTED = /\/\/\s*expected:/;

function* sourceFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) yield* sourceFiles(abs);
    else if (/\.(ts|tsx|mts)$/.test(e.name) && !/\.(test|fixture)\.(ts|tsx|mts)$/.test(e.name) && !e.name.endsWith('.d.ts')) yield abs;
  }
}

/** Index just past the bracket that closes the one at `open` (skips strings and comments). */
function closing(text, open) {
  const pairs = { '{': '}', '(': ')', '[': ']' };
  const stack = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') { i = text.indexOf('\n', i); if (i < 0) return text.length; continue; }
    if (c === '/' && text[i + 1] === '*') { i = text.indexOf('*/', i + 2) + 1; if (i <= 0) return text.length; continue; }
    if (c === "'" || c === '"' || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) {
        if (text[i] === '\\') i++;
        else if (c === '`' && text[i] === '$' && text[i + 1] === '{') i = closing(text, i + 1) - 1;
      }
      continue;
    }
    if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack[stack.length - 1]) { stack.pop(); if (!stack.length) return i + 1; }
  }
  return text.length;
}

/** The line before the catch and the catch's own line: where a `// expected:` reason may sit too. */
function around(text, at, open) {
  const prev = text.lastIndexOf('\n', text.lastIndexOf('\n', at - 1) - 1) + 1;
  const end = text.indexOf('\n', open);
  return text.slice(prev, end < 0 ? text.length : end);
}

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

function accepted(body, binding, window) {
  if (/\bthrow\b/.test(body) || LOG_CALL.test(body) || EXPECTED.test(body) || EXPECTED.test(window)) return true;
  return Boolean(binding) && new RegExp(`\\b${binding}\\b`).test(body);
}

/** `file:line` of every catch in `text` that neither rethrows, logs, uses the error, nor says `// expected:`. */
export function swallowedIn(text) {
  const found = [];
  for (const m of text.matchAll(/(?<![.\w])catch\s*(?:\(\s*([A-Za-z_$][\w$]*)?[^)]*\)\s*)?\{/g)) {
    const open = m.index + m[0].length - 1;
    const body = text.slice(open, closing(text, open));
    if (!accepted(body, m[1], around(text, m.index, open))) found.push(lineOf(text, m.index));
  }
  for (const m of text.matchAll(/\.catch\s*\(/g)) {
    const open = m.index + m[0].length - 1;
    const arg = text.slice(open + 1, closing(text, open) - 1).trim();
    const fn = /^(?:async\s*)?(?:\(\s*([A-Za-z_$][\w$]*)?[^)]*\)|([A-Za-z_$][\w$]*))\s*=>([\s\S]*)$/.exec(arg)
      ?? /^(?:async\s+)?function\s*\w*\s*\(\s*([A-Za-z_$][\w$]*)?[^)]*\)([\s\S]*)$/.exec(arg);
    // A handler passed by name (`.catch(reject)`, `.catch(onError)`) takes the error somewhere on purpose.
    if (!fn) continue;
    const binding = fn[1] ?? (fn.length > 3 ? fn[2] : undefined);
    const body = fn[fn.length - 1];
    if (!accepted(body, binding, around(text, m.index, open))) found.push(lineOf(text, m.index));
  }
  return found.sort((a, b) => a - b);
}

/** Every swallowed error under packages/*\/src and apps/*\/src, as `path:line`. */
export function swallowedErrors(root) {
  const problems = [];
  for (const group of ['packages', 'apps']) {
    const base = path.join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const src = path.join(base, name, 'src');
      if (!existsSync(src) || !statSync(src).isDirectory()) continue;
      for (const file of sourceFiles(src)) {
        for (const line of swallowedIn(readFileSync(file, 'utf8'))) problems.push(`${path.relative(root, file)}:${line}`);
      }
    }
  }
  return problems;
}

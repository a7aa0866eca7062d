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

/** The arguments of the call whose `(` is at `open`, split at its top-level commas and trimmed. */
function topLevelArgs(text, open) {
  const end = closing(text, open) - 1;
  const args = [];
  let start = open + 1;
  for (let i = start; i < end; i++) {
    const c = text[i];
    if ('([{\'"`'.includes(c) || (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*'))) {
      // closing() skips a whole bracket, string or comment from here.
      const after = c === '(' || c === '[' || c === '{' ? closing(text, i) : skipToken(text, i);
      i = after - 1;
    } else if (c === ',') {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start, end).trim();
  if (last) args.push(last);
  return args;
}

/** Index just past the string or comment that starts at `i`. */
function skipToken(text, i) {
  const c = text[i];
  if (c === '/' && text[i + 1] === '/') { const nl = text.indexOf('\n', i); return nl < 0 ? text.length : nl; }
  if (c === '/') { const e = text.indexOf('*/', i + 2); return e < 0 ? text.length : e + 2; }
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (c === '`' && text[j] === '$' && text[j + 1] === '{') j = closing(text, j + 1) - 1;
    else if (text[j] === c) return j + 1;
  }
  return text.length;
}

/**
 * Whether an error handler given inline (`(e) => …`, `function (e) {…}`) rethrows, logs, uses the
 * error or says `// expected:`. A handler passed by name (`reject`, `onError`, `log.dropped(…)`)
 * takes the error somewhere on purpose.
 */
function handles(arg, window) {
  const fn = /^(?:async\s*)?(?:\(\s*([A-Za-z_$][\w$]*)?[^)]*\)|([A-Za-z_$][\w$]*))\s*=>([\s\S]*)$/.exec(arg)
    ?? /^(?:async\s+)?function\s*\w*\s*\(\s*([A-Za-z_$][\w$]*)?[^)]*\)([\s\S]*)$/.exec(arg);
  if (!fn) return true;
  const binding = fn[1] ?? (fn.length > 3 ? fn[2] : undefined);
  return accepted(fn[fn.length - 1], binding, window);
}

/** `file:line` of every catch in `text` that neither rethrows, logs, uses the error, nor says `// expected:`. */
export function swallowedIn(text) {
  const found = [];
  for (const m of text.matchAll(/(?<![.\w])catch\s*(?:\(\s*([A-Za-z_$][\w$]*)?[^)]*\)\s*)?\{/g)) {
    const open = m.index + m[0].length - 1;
    const body = text.slice(open, closing(text, open));
    if (!accepted(body, m[1], around(text, m.index, open))) found.push(lineOf(text, m.index));
  }
  // The error handler of `.catch(h)`, `.then(ok, h)` and `.on('error', h)` / `.once('error', h)`.
  for (const m of text.matchAll(/\.(catch|then|on|once|addListener|prependListener)\s*\(/g)) {
    const open = m.index + m[0].length - 1;
    const args = topLevelArgs(text, open);
    const handler = m[1] === 'catch' ? args[0] : m[1] === 'then' ? args[1] : /^(['"`])error\1$/.test(args[0] ?? '') ? args[1] : undefined;
    // A reason may also close the call (`}, () => undefined); // expected: …`).
    const end = closing(text, open);
    const lastLine = text.slice(text.lastIndexOf('\n', end - 1) + 1, (text.indexOf('\n', end) + 1 || text.length + 1) - 1);
    if (handler !== undefined && !handles(handler, `${around(text, m.index, open)}\n${lastLine}`)) found.push(lineOf(text, m.index));
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

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isStubAt } from './stub-at.js';

/** A task not merged yet and the files it owns (its plan `files`). */
export interface PendingTask { taskId: string; files: readonly string[] }

/** A frame of a traceback, by repository-relative path. */
export interface Frame { rel: string; abs: string; line: number }

// What Python says when code uses a name that a class, module or package does not have (yet): the
// class or module it names, not the frame it was raised in, is where the missing code lives.
const NO_ATTRIBUTE = /\bAttributeError: (?:'(\w+)' object|type object '(\w+)') has no attribute '\w+'/;
const MODULE_NO_ATTRIBUTE = /\bAttributeError: (?:partially initialized )?module '([\w.]+)' has no attribute '\w+'/;
const CANNOT_IMPORT = /\bImportError: cannot import name '\w+' from '([\w.]+)'/;

/**
 * The task not merged yet that a failure waits on, or null: a frame of its traceback (any, not only
 * the innermost) that lies in a stub of a file that task owns, or an error that names code missing
 * from such a file. The second case is the sqlparse one: formatter.py calls `stack.enable_grouping()`
 * on a FilterStack whose class (engine/filter_stack.py, another task's, which formatter.py does not
 * even import) is still a stub without that method, so the AttributeError is raised in formatter's
 * own line although the code it needs is not there yet. Third, a failed assertion on a value a
 * pending task's stub returned (stubThatGaveAValue). Only files of pending tasks are read.
 */
export function waitsOnPending(detail: string, frames: readonly Frame[], cwd: string, pending: readonly PendingTask[]): { task: string; at: string } | null {
  if (!pending.length) return null;
  const ownerOf = (rel: string) => pending.find((p) => p.files.some((x) => path.normalize(x) === rel));
  for (const f of frames) {
    const owner = ownerOf(f.rel);
    if (owner && existsSync(f.abs) && isStubAt(readFileSync(f.abs, 'utf8'), f.line)) return { task: owner.taskId, at: `${f.rel}:${f.line}` };
  }
  const cls = NO_ATTRIBUTE.exec(detail);
  const name = cls?.[1] ?? cls?.[2];
  if (name) {
    const def = new RegExp(`^\\s*class ${name}\\b`, 'm');
    for (const p of pending) {
      for (const file of p.files.filter((x) => x.endsWith('.py'))) {
        const abs = path.resolve(cwd, file);
        if (existsSync(abs) && def.test(readFileSync(abs, 'utf8'))) return { task: p.taskId, at: path.normalize(file) };
      }
    }
  }
  const mod = (MODULE_NO_ATTRIBUTE.exec(detail) ?? CANNOT_IMPORT.exec(detail))?.[1];
  if (mod) {
    const as = mod.split('.').join('/');
    // the module's file, wherever the package sits (a src/ layout included)
    const isModule = (f: string) => { const n = path.normalize(f).split(path.sep).join('/'); return [`${as}.py`, `${as}/__init__.py`].some((m) => n === m || n.endsWith(`/${m}`)); };
    for (const p of pending) {
      const file = p.files.find(isModule);
      if (file) return { task: p.taskId, at: path.normalize(file) };
    }
  }
  const stub = stubThatGaveAValue(detail, cwd, pending);
  if (stub) return stub;
  return null;
}

// pytest's assertion report names each value's source: `+  where None = <function get at 0x7f…>()`,
// `<bound method Store.get of <…>>`. Only report lines (`E …`) are read.
const VALUE_FROM = /^E\s.*\bwhere\b.*<(?:function|bound method) (?:[\w.]+\.)?(\w+) (?:at 0x[0-9a-f]+|of )/gm;

/**
 * A failed assertion whose value came from a function that is still a stub in a file of a pending
 * task. The simpy case: a test passed on the stubs without running (the event loop was a stub), the
 * real loop lands and runs it, and it asserts on what a resource's stub returned (None). No frame of
 * the traceback is in that stub (it returned), so only pytest's report of the value names it.
 */
function stubThatGaveAValue(detail: string, cwd: string, pending: readonly PendingTask[]): { task: string; at: string } | null {
  const names = new Set([...detail.matchAll(VALUE_FROM)].map((m) => m[1]!));
  if (!names.size) return null;
  for (const p of pending) {
    for (const file of p.files.filter((x) => x.endsWith('.py'))) {
      const abs = path.resolve(cwd, file);
      if (!existsSync(abs)) continue;
      const source = readFileSync(abs, 'utf8');
      const lines = source.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const def = /^\s*(?:async\s+)?def\s+(\w+)\s*\(/.exec(lines[i]!);
        // the body's first line (1-based i + 2): isStubAt judges the def enclosing it
        if (def && names.has(def[1]!) && isStubAt(source, i + 2)) return { task: p.taskId, at: `${path.normalize(file)}:${i + 1}` };
      }
    }
  }
  return null;
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { isStubAt } from './stub-at.js';
import { waitsOnPending, type Frame, type PendingTask } from './waits-on-pending.js';

export { isStubAt } from './stub-at.js';
export type { PendingTask } from './waits-on-pending.js';

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

/** The frames of a failure's traceback that lie inside the repository (not site-packages or node_modules), outermost first. */
function framesInRepo(detail: string, cwd: string): Frame[] {
  const root = path.resolve(cwd);
  return frames(detail).flatMap((f) => {
    const abs = path.resolve(root, f.file);
    const rel = path.relative(root, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split(path.sep).includes('site-packages') || rel.split(path.sep).includes('node_modules')) return [];
    return [{ rel, abs, line: f.line }];
  });
}

const isStubFrame = (abs: string, line: number) => existsSync(abs) && isStubAt(readFileSync(abs, 'utf8'), line);

/**
 * Why a test newly fails, when the merge is not its cause: its traceback ends (innermost frame
 * inside the repository) in a file a pending task owns, or in a function that is still a stub, or
 * it waits on a pending task's stub elsewhere (waitsOnPending: a stub frame further out, or an
 * error naming a class or module that task has not written yet). Null: held against the merge.
 */
export function attributeFailure(test: string, detail: string | undefined, cwd: string, pending: readonly PendingTask[]): Waiting | null {
  if (!detail) return null;
  const all = framesInRepo(detail, cwd);
  const f = all.at(-1);
  if (!f) return null;
  const at = `${f.rel}:${f.line}`;
  const owner = pending.find((p) => p.files.some((x) => path.normalize(x) === f.rel));
  if (owner) return { test, task: owner.taskId, at };
  if (isStubFrame(f.abs, f.line)) return { test, at };
  const w = waitsOnPending(detail, all, cwd, pending);
  return w ? { test, ...w } : null;
}

/** A test that fails in code a merged task wrote. */
export interface Owned { test: string; task: string; at: string }

// An error on a None value (calling, indexing, iterating it, reading its attributes): a stub's body
// returns None, so real code that uses a stub's result fails this way in its own lines, waiting on that stub.
const ON_NONE = /^E?\s*(TypeError|AttributeError)\b.*'?NoneType'?/m;

// A per-test timeout stops the test wherever it is: often a loop in real code waiting on a stub.
const TIMED_OUT = /Failed: Timeout \(>|^E\s+Failed: Timeout/m;

// Python's chained tracebacks: the exception shown last was raised while handling the one above it.
const CHAINED = /^(?:The above exception was the direct cause of the following exception|During handling of the above exception, another exception occurred):?$/m;

/**
 * The part of a traceback to judge: the whole of an unchained one; of a chained one, the last
 * exception's, when every exception it was raised while handling came from the repository's own
 * real code (marshmallow's schema catching its own ValidationError, then calling a wrong
 * `normalized_messages`, in another file). Null when one of those came from outside the repository
 * (the standard library, a dependency: a network or install problem of this machine, wrapped), from
 * a stub, or from the very file the last one was raised in.
 */
function lastRaised(detail: string, cwd: string): string | null {
  const parts = detail.split(CHAINED);
  const last = parts.at(-1)!;
  const raisedIn = frames(last).at(-1);
  for (const cause of parts.slice(0, -1)) {
    const inner = frames(cause).at(-1);
    if (!inner) return null;
    const abs = path.resolve(cwd, inner.file);
    const rel = path.relative(path.resolve(cwd), abs);
    if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split(path.sep).some((p) => p === 'site-packages' || p === 'node_modules')) return null;
    if (isStubFrame(abs, inner.line)) return null;
    // Raised in the file that raised the cause: that module translating its own error (voluptuous's
    // schema turning an Invalid into MultipleInvalid), which says no more than the cause.
    if (raisedIn && path.resolve(cwd, raisedIn.file) === abs) return null;
  }
  return last;
}

/**
 * Whose fault a test that still fails after a merge is (it did not pass before, so it is no
 * regression): the merged task's, when the failure was raised in a file that task owns (the
 * innermost frame of the last exception raised is there, and it is no stub). A broken first attempt at a
 * stubbed module would otherwise land, since its tests already failed on the stubs. Not blamed:
 * an error raised in the standard library or a dependency the code calls (a network or install
 * problem of this machine, not of the code), one raised while handling an error from outside the
 * repository or from a stub (a wrapped error: its cause is what the first exception says; see lastRaised), a TypeError or AttributeError on None (what
 * real code does with a stub's return value), one that waits on a task in `pending` (see
 * waitsOnPending), and a failed assertion in the test itself.
 */
export function blameOwned(test: string, detail: string | undefined, cwd: string, merging: readonly PendingTask[], pending: readonly PendingTask[] = []): Owned | null {
  if (!detail || !merging.length || ON_NONE.test(detail) || TIMED_OUT.test(detail)) return null;
  const f = frames(lastRaised(detail, cwd) ?? '').at(-1);
  if (!f) return null;
  const root = path.resolve(cwd);
  const abs = path.resolve(root, f.file);
  const rel = path.relative(root, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split(path.sep).some((p) => p === 'site-packages' || p === 'node_modules')) return null;
  const owner = merging.find((p) => p.files.some((x) => path.normalize(x) === rel));
  if (!owner || isStubFrame(abs, f.line)) return null;
  // Raised in the task's own line, but on code another task has not written yet: waiting, not wrong.
  if (waitsOnPending(detail, framesInRepo(detail, cwd), cwd, pending)) return null;
  return { test, task: owner.taskId, at: `${rel}:${f.line}` };
}

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instrumentVerify } from './instrument-verify.js';
import { spawnVerify } from './spawn-verify.js';
import { readJUnit, type JUnitReport, type TestOutcome } from './junit-report.js';

export interface VerifyRun {
  command: string;
  exitCode: number | null;
  output: string;
  timedOut: boolean;
  cancelled: boolean;
  /** Per-test results, or null when no report could be read. */
  tests: TestOutcome[] | null;
  /**
   * The suite did not run: a report was expected but is missing, or it records a collection error
   * or errors outside every test. A test's own setup or teardown error is that test's failure.
   */
  crashed: boolean;
  /** The collection errors (pytest: a module that cannot be imported), with their tracebacks. */
  collectionErrors?: TestOutcome[];
}

export interface VerifyOptions {
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** A JUnit report the command writes itself (relative to cwd), for runners caid does not recognise. */
  reportPath?: string;
  /** Each test's limit where the runner has none of its own; default: a sixth of `timeoutMs`, 5 s to 5 min. */
  testTimeoutMs?: number;
}

export const defaultTestTimeoutMs = (timeoutMs: number) => Math.round(Math.min(300_000, Math.max(5_000, timeoutMs / 6)));

/**
 * Runs a verify command, with a JUnit reporter (and a per-test timeout) added when caid knows the
 * runner; every process it starts is killed when it ends.
 */
export async function runVerify(command: string, o: VerifyOptions): Promise<VerifyRun> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'caid-verify-'));
  try {
    const given = o.reportPath ? path.resolve(o.cwd, o.reportPath) : undefined;
    const instrumented = given ? null : instrumentVerify(command, o.cwd, path.join(scratch, 'report.xml'), o.testTimeoutMs ?? defaultTestTimeoutMs(o.timeoutMs));
    const report = given ?? instrumented?.reportPath;
    if (given) rmSync(given, { force: true });
    const r = await spawnVerify(instrumented?.command ?? command, { cwd: o.cwd, timeoutMs: o.timeoutMs, signal: o.signal, env: instrumented?.env });
    const xml = report && existsSync(report) ? readFileSync(report, 'utf8') : null;
    let parsed: JUnitReport | null = null;
    let output = r.output;
    try {
      parsed = xml ? readJUnit(xml) : null;
    } catch (e) {
      // Counts as no report (the suite did not run); the reason goes where the reader looks.
      output += `\ncaid: the test report could not be read: ${(e as Error).message}\n`;
    }
    const tests = parsed ? parsed.tests.filter((t) => !t.collection) : null;
    const collectionErrors = parsed?.tests.filter((t) => t.collection) ?? [];
    const crashed = Boolean(report) && !r.timedOut && !r.cancelled && (!parsed || parsed.errorsOutsideTests > 0 || collectionErrors.length > 0);
    return {
      command, exitCode: r.exitCode, output, timedOut: r.timedOut, cancelled: r.cancelled, tests, crashed,
      ...(collectionErrors.length ? { collectionErrors } : {}),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export const countTests = (tests: TestOutcome[]) => ({
  passed: tests.filter((t) => t.status === 'passed').length,
  failed: tests.filter((t) => t.status === 'failed').length,
  total: tests.length,
});

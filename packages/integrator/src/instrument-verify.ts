import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { agentEnv } from '@caid/agent';
import { logger } from '@caid/log';

const ilog = logger('integrator');

export interface Instrumented {
  command: string;
  env: Record<string, string>;
  /** Where the runner will write its JUnit XML report. */
  reportPath: string;
}

/** `t` is the per-test timeout in ms, when one is asked for and the runner can apply it. */
const RUNNERS: { test: RegExp; flags: (report: string, t: number | undefined, command: string, cwd: string) => { args?: string; env?: Record<string, string> } }[] = [
  // pytest reads PYTEST_ADDOPTS however it is started (make, tox, npm scripts), so no command surgery.
  { test: /(^|[\s/;&|])(py\.test|pytest|python3? -m pytest)\b/, flags: (r, t, c, cwd) => ({
    env: { PYTEST_ADDOPTS: `--junitxml=${r} -p no:cacheprovider${t && !/--timeout\b/.test(c) && hasPytestTimeout(c, cwd) ? ` --timeout=${Math.ceil(t / 1000)}` : ''}` },
  }) },
  // vitest and jest time out each test themselves (5 s unless configured): a longer one of ours would loosen that.
  { test: /(^|[\s/;&|])vitest(\.mjs)?\b/, flags: (r) => ({ args: `--reporter=default --reporter=junit --outputFile.junit=${r}` }) },
  { test: /(^|[\s/;&|])jest\b/, flags: (r) => ({ args: '--reporters=default --reporters=jest-junit', env: { JEST_JUNIT_OUTPUT_FILE: r } }) },
  { test: /(^|[\s/;&|])node\b.*\s--test\b/, flags: (r, t, c) => ({ args: `--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=${r}${t && !/--test-timeout\b/.test(c) ? ` --test-timeout=${t}` : ''}` }) },
];

/** `x -m pytest` → x; `some/bin/pytest` → some/bin/python; else python3. */
function pythonOf(command: string): string {
  const module = /(\S*python[\d.]*)\s+-m\s+pytest\b/.exec(command);
  if (module) return module[1]!;
  const bin = /(\S+\/)(?:py\.test|pytest)\b/.exec(command);
  return bin ? `${bin[1]}python` : 'python3';
}

const pluginChecks = new Map<string, boolean>();
/** Whether the Python that runs this pytest can import pytest-timeout (asked once per interpreter and directory). */
function hasPytestTimeout(command: string, cwd: string): boolean {
  const python = pythonOf(command);
  const key = `${python}\0${cwd}`;
  if (!pluginChecks.has(key)) {
    const r = spawnSync(python, ['-c', 'import pytest_timeout'], { cwd, env: agentEnv(), stdio: 'ignore', timeout: 30_000 });
    pluginChecks.set(key, r.status === 0);
  }
  return pluginChecks.get(key)!;
}

/** Runners whose output needs a converter on PATH to become JUnit XML. */
const PIPED: { test: RegExp; converter: string; pipe: (command: string, report: string) => string }[] = [
  { test: /(^|[\s;&|])go test\b/, converter: 'go-junit-report',
    pipe: (c, r) => `set -o pipefail; ${c.replace(/\bgo test\b/, 'go test -v')} 2>&1 | tee /dev/stderr | go-junit-report > ${r}` },
  { test: /(^|[\s;&|])cargo test\b/, converter: 'cargo2junit',
    pipe: (c, r) => `set -o pipefail; ${c} -- -Z unstable-options --format json --report-time | tee /dev/stderr | cargo2junit > ${r}` },
];

const onPath = (bin: string) => (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, bin)));

/**
 * Adds a JUnit reporter to a verify command whose test runner caid recognises, directly or
 * behind `npm test` / `npm run <script>`. Returns null for anything else (the user can give
 * `verifyReport`). Flags go where each runner reads them: node's options before the file list.
 * With `testTimeoutMs`, each test gets that long where the runner has no limit of its own (node
 * --test; pytest when pytest-timeout is installed), so one test that hangs fails alone rather than
 * timing out the whole verify.
 */
export function instrumentVerify(command: string, cwd: string, reportPath: string, testTimeoutMs?: number): Instrumented | null {
  const runnerCommand = resolveNpmScript(command, cwd) ?? command;
  for (const p of PIPED) {
    if (p.test.test(command) && onPath(p.converter)) return { command: `bash -c ${JSON.stringify(p.pipe(command, reportPath))}`, env: {}, reportPath };
  }
  for (const r of RUNNERS) {
    if (!r.test.test(runnerCommand)) continue;
    const { args, env = {} } = r.flags(reportPath, testTimeoutMs, runnerCommand, cwd);
    if (!args) return { command, env, reportPath };
    if (runnerCommand !== command) return { command: `${command} -- ${args}`, env, reportPath };
    if (/\bnode\b/.test(command) && /\s--test\b/.test(command)) return { command: command.replace(/\s--test\b/, ` --test ${args}`), env, reportPath };
    return { command: `${command} ${args}`, env, reportPath };
  }
  return null;
}

/** `npm test` / `npm run x` → the script it runs, when the command is exactly that. */
function resolveNpmScript(command: string, cwd: string): string | null {
  const m = /^\s*npm\s+(?:run(?:-script)?\s+)?(test|t|[\w:-]+)\s*$/.exec(command);
  if (!m || (m[1] !== 'test' && m[1] !== 't' && !/^\s*npm\s+run/.test(command))) return null;
  const file = path.join(cwd, 'package.json');
  if (!existsSync(file)) return null;
  try {
    const scripts = (JSON.parse(readFileSync(file, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
    return scripts[m[1] === 't' ? 'test' : m[1]!] ?? null;
  } catch (err) {
    ilog.debug({ err, file }, 'package.json unparsable: verify left as given');
    return null;
  }
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface Instrumented {
  command: string;
  env: Record<string, string>;
  /** Where the runner will write its JUnit XML report. */
  reportPath: string;
}

const RUNNERS: { test: RegExp; flags: (report: string) => { args?: string; env?: Record<string, string> } }[] = [
  // pytest reads PYTEST_ADDOPTS however it is started (make, tox, npm scripts), so no command surgery.
  { test: /(^|[\s/;&|])(py\.test|pytest|python3? -m pytest)\b/, flags: (r) => ({ env: { PYTEST_ADDOPTS: `--junitxml=${r} -p no:cacheprovider` } }) },
  { test: /(^|[\s/;&|])vitest(\.mjs)?\b/, flags: (r) => ({ args: `--reporter=default --reporter=junit --outputFile.junit=${r}` }) },
  { test: /(^|[\s/;&|])jest\b/, flags: (r) => ({ args: '--reporters=default --reporters=jest-junit', env: { JEST_JUNIT_OUTPUT_FILE: r } }) },
  { test: /(^|[\s/;&|])node\b.*\s--test\b/, flags: (r) => ({ args: `--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=${r}` }) },
];

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
 */
export function instrumentVerify(command: string, cwd: string, reportPath: string): Instrumented | null {
  const runnerCommand = resolveNpmScript(command, cwd) ?? command;
  for (const p of PIPED) {
    if (p.test.test(command) && onPath(p.converter)) return { command: `bash -c ${JSON.stringify(p.pipe(command, reportPath))}`, env: {}, reportPath };
  }
  for (const r of RUNNERS) {
    if (!r.test.test(runnerCommand)) continue;
    const { args, env = {} } = r.flags(reportPath);
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
  } catch {
    return null;
  }
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVerify } from './run-verify.js';
import { instrumentVerify } from './instrument-verify.js';

const VITEST = path.resolve(__dirname, '../../../node_modules/vitest/vitest.mjs');
const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'caid-verify-test-'));
  dirs.push(d);
  for (const [f, t] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
    writeFileSync(path.join(d, f), t);
  }
  return d;
}
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const opts = (cwd: string) => ({ cwd, timeoutMs: 60_000 });
const byId = (tests: { id: string; status: string }[] | null) => Object.fromEntries((tests ?? []).map((t) => [t.id, t.status]));

describe('runVerify reads per-test results from real runners', () => {
  it('pytest (through PYTEST_ADDOPTS), with failure messages', async () => {
    const cwd = project({ 'tests/test_m.py': 'def test_ok():\n    assert 1\n\ndef test_bad():\n    assert 1 == 2, "one is not two"\n' });
    const r = await runVerify('python3 -m pytest -q', opts(cwd));
    expect(r.exitCode).toBe(1);
    expect(r.crashed).toBe(false);
    expect(byId(r.tests)).toEqual({ 'tests.test_m::test_ok': 'passed', 'tests.test_m::test_bad': 'failed' });
    expect(r.tests!.find((t) => t.status === 'failed')!.message).toContain('one is not two');
  });

  it('pytest collection errors count as a crashed suite', async () => {
    const cwd = project({ 'tests/test_m.py': 'import no_such_module\n\ndef test_ok():\n    assert 1\n' });
    const r = await runVerify('pytest', opts(cwd));
    expect(r.crashed).toBe(true);
    expect(r.tests).toEqual([]);
    expect(r.collectionErrors![0]!.detail).toContain("No module named 'no_such_module'");
  });

  it('a pytest fixture that cannot be built fails its tests, not the suite; a conftest that cannot import is a crash', async () => {
    const cwd = project({
      'lib/__init__.py': 'import abc\n\nclass Base(abc.ABC):\n    @abc.abstractmethod\n    def run(self):\n        pass\n',
      'tests/test_m.py': 'import pytest\nfrom lib import Base\n\n@pytest.fixture\ndef thing():\n    class T(Base):\n        pass\n    return T()\n\ndef test_uses(thing):\n    assert thing\n\ndef test_ok():\n    assert 1\n',
    });
    const r = await runVerify('python3 -m pytest -q', opts(cwd));
    expect(r.crashed).toBe(false);
    expect(byId(r.tests)).toEqual({ 'tests.test_m::test_uses': 'failed', 'tests.test_m::test_ok': 'passed' });
    writeFileSync(path.join(cwd, 'tests/conftest.py'), 'import no_such_module\n');
    const broken = await runVerify('python3 -m pytest -q', opts(cwd));
    expect(broken).toMatchObject({ crashed: true, tests: null, exitCode: 4 });
  });

  it('a test that loops forever fails alone under the per-test timeout (pytest-timeout, node --test)', async () => {
    const py = project({ 'tests/test_m.py': 'def test_ok():\n    assert 1\n\ndef test_loop():\n    while True:\n        pass\n' });
    const r = await runVerify('python3 -m pytest -q', { ...opts(py), testTimeoutMs: 3000 });
    expect(r.timedOut).toBe(false);
    expect(byId(r.tests)).toEqual({ 'tests.test_m::test_ok': 'passed', 'tests.test_m::test_loop': 'failed' });
    expect(r.tests!.find((t) => t.status === 'failed')!.message).toMatch(/Timeout/);
    const js = project({ 'a.test.mjs': "import test from 'node:test';\ntest('ok', () => {});\ntest('hangs', () => new Promise(() => { setInterval(() => {}, 1000); }));\n" });
    const n = await runVerify('node --test', { ...opts(js), testTimeoutMs: 3000 });
    expect(n.timedOut).toBe(false);
    expect(Object.values(byId(n.tests)).sort()).toEqual(['failed', 'passed']);
  });

  it("node's test runner, directly and behind npm test", async () => {
    const files = { 'package.json': '{"scripts":{"test":"node --test"}}', 'a.test.mjs': "import test from 'node:test';\ntest('adds', () => {});\ntest('breaks', () => { throw new Error('nope'); });\n" };
    for (const command of ['node --test', 'npm test']) {
      const r = await runVerify(command, opts(project(files)));
      expect(Object.values(byId(r.tests)).sort(), command).toEqual(['failed', 'passed']);
      expect(r.output, command).toMatch(/breaks/);
    }
  });

  it('vitest', async () => {
    const cwd = project({ 'test/sum.test.ts': "const sum = (a: number, b: number) => a + b;\ntest('sum', () => { expect(sum(1, 2)).toBe(3); });\ntest('off', () => { expect(sum(1, 1)).toBe(3); });\n" });
    const r = await runVerify(`node ${VITEST} run --globals`, opts(cwd));
    expect(r.exitCode).toBe(1);
    expect(byId(r.tests)).toEqual({ 'test/sum.test.ts::sum': 'passed', 'test/sum.test.ts::off': 'failed' });
  });

  it('an unknown runner gives no per-test results and is not a crash; a user-given report is read', async () => {
    const cwd = project({});
    const plain = await runVerify('echo fine', opts(cwd));
    expect(plain).toMatchObject({ exitCode: 0, tests: null, crashed: false });
    const xml = '<testsuite><testcase classname="c" name="t1"/><testcase classname="c" name="t2"><skipped/></testcase></testsuite>';
    const given = await runVerify(`echo '${xml}' > out/report.xml`, { ...opts(cwd), reportPath: 'out/report.xml' }).catch((e) => e);
    expect(given.tests).toBeNull();
    mkdirSync(path.join(cwd, 'out'));
    const r = await runVerify(`echo '${xml}' > out/report.xml`, { ...opts(cwd), reportPath: 'out/report.xml' });
    expect(byId(r.tests)).toEqual({ 'c::t1': 'passed', 'c::t2': 'skipped' });
  });
});

describe('instrumentVerify', () => {
  it('adds reporter flags where each runner reads them', () => {
    const cwd = project({ 'package.json': '{"scripts":{"test":"vitest run","check":"jest"}}' });
    expect(instrumentVerify('node --test test/', cwd, '/r.xml')!.command).toBe('node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=/r.xml test/');
    expect(instrumentVerify('npx vitest run', cwd, '/r.xml')!.command).toBe('npx vitest run --reporter=default --reporter=junit --outputFile.junit=/r.xml');
    expect(instrumentVerify('npm test', cwd, '/r.xml')!.command).toBe('npm test -- --reporter=default --reporter=junit --outputFile.junit=/r.xml');
    expect(instrumentVerify('npm run check', cwd, '/r.xml')!.env).toEqual({ JEST_JUNIT_OUTPUT_FILE: '/r.xml' });
    expect(instrumentVerify('pytest -x', cwd, '/r.xml')).toEqual({ command: 'pytest -x', env: { PYTEST_ADDOPTS: '--junitxml=/r.xml -p no:cacheprovider' }, reportPath: '/r.xml' });
    expect(instrumentVerify('make check', cwd, '/r.xml')).toBeNull();
    expect(instrumentVerify('node --test', cwd, '/r.xml', 2000)!.command).toMatch(/--test-timeout=2000$/);
    expect(instrumentVerify('node --test --test-timeout=9', cwd, '/r.xml', 2000)!.command).not.toContain('--test-timeout=2000');
    expect(instrumentVerify('npm run missing', cwd, '/r.xml')).toBeNull();
  });

  it('pipes go test and cargo test through their JUnit converters only when those are installed', () => {
    const cwd = project({});
    const bin = project({ 'go-junit-report': '#!/bin/sh\ncat >/dev/null\n', 'cargo2junit': '#!/bin/sh\ncat >/dev/null\n' });
    const saved = process.env.PATH;
    try {
      process.env.PATH = '/usr/bin:/bin';
      expect(instrumentVerify('go test ./...', cwd, '/r.xml')).toBeNull();
      process.env.PATH = `${bin}:/usr/bin:/bin`;
      expect(instrumentVerify('go test ./...', cwd, '/r.xml')!.command).toBe('bash -c "set -o pipefail; go test -v ./... 2>&1 | tee /dev/stderr | go-junit-report > /r.xml"');
      expect(instrumentVerify('cargo test', cwd, '/r.xml')!.command).toContain('cargo test -- -Z unstable-options --format json --report-time | tee /dev/stderr | cargo2junit > /r.xml');
    } finally {
      process.env.PATH = saved;
    }
  });
});

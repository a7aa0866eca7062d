import { describe, expect, it } from 'vitest';
import { parseJUnit, readJUnit } from './junit-report.js';

describe('parseJUnit', () => {
  it('reads nested suites, failures, errors, skips and attribute-only failures; ids are unique', () => {
    const xml = `<?xml version="1.0"?>
<testsuites>
  <testsuite name="outer" errors="0">
    <testsuite name="inner">
      <testcase classname="pkg.mod" name="ok"/>
      <testcase classname="pkg.mod" name="bad"><failure message="expected &lt;1&gt;">trace</failure></testcase>
      <testcase classname="pkg.mod" name="boom"><error message="ImportError"/></testcase>
      <testcase classname="pkg.mod" name="later"><skipped/></testcase>
    </testsuite>
    <testcase classname="dup" name="same"/>
    <testcase classname="dup" name="same" failure="node style"/>
  </testsuite>
</testsuites>`;
    expect(parseJUnit(xml)).toEqual([
      { id: 'dup::same', status: 'passed', message: undefined },
      { id: 'dup::same #2', status: 'failed', message: 'node style' },
      { id: 'pkg.mod::ok', status: 'passed', message: undefined },
      { id: 'pkg.mod::bad', status: 'failed', message: 'expected <1>', detail: 'trace' },
      { id: 'pkg.mod::boom', status: 'failed', message: 'ImportError' },
      { id: 'pkg.mod::later', status: 'skipped', message: undefined },
    ]);
    expect(readJUnit(xml).errorsOutsideTests).toBe(0);
    expect(readJUnit('<testsuites><testsuite errors="2"></testsuite></testsuites>').errorsOutsideTests).toBe(2);
  });

  it("pytest's setup and teardown errors belong to their tests; a collection failure is marked as not a test", () => {
    const xml = `<testsuites name="pytest tests"><testsuite name="pytest" errors="2" failures="0" tests="3">
<testcase classname="tests.test_a" name="test_uses"><error message="failed on setup with &quot;TypeError: abstract&quot;">    def thing():
&gt;       return T()
E       TypeError: abstract

tests/test_a.py:7: TypeError</error></testcase>
<testcase classname="tests.test_a" name="test_ok" />
<testcase classname="tests.test_a" name="test_td"><error message="failed on teardown with &quot;RuntimeError: boom&quot;">tests/test_a.py:15: RuntimeError</error></testcase>
</testsuite></testsuites>`;
    const r = readJUnit(xml);
    expect(r.errorsOutsideTests).toBe(0);
    expect(r.tests.map((t) => [t.id, t.status])).toEqual([['tests.test_a::test_uses', 'failed'], ['tests.test_a::test_ok', 'passed'], ['tests.test_a::test_td', 'failed']]);
    expect(r.tests[0]!.detail).toMatch(/tests\/test_a\.py:7: TypeError$/);
    const collect = readJUnit('<testsuites><testsuite errors="1" tests="1"><testcase classname="" name="tests.test_b"><error message="collection failure">ImportError</error></testcase></testsuite></testsuites>');
    expect(collect).toEqual({ errorsOutsideTests: 0, tests: [{ id: '::tests.test_b', status: 'failed', message: 'collection failure', detail: 'ImportError', collection: true }] });
  });

  it('a test case with no name is no test (pytest after an INTERNALERROR); a failure it carries is the suite\'s', () => {
    const died = readJUnit('<testsuite errors="0" tests="2"><testcase classname="a" name="t"/><testcase time="0.000" /></testsuite>');
    expect(died.tests.map((t) => t.id)).toEqual(['a::t']);
    expect(died.errorsOutsideTests).toBe(0);
    const failing = readJUnit('<testsuite><testcase classname="a" name="t"/><testcase><failure message="boom"/></testcase></testsuite>');
    expect(failing.tests.map((t) => t.id)).toEqual(['a::t']);
    expect(failing.errorsOutsideTests).toBe(1);
  });
});

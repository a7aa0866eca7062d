import { describe, expect, it } from 'vitest';
import { parseJUnit, suiteErrors } from './junit-report.js';

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
      { id: 'pkg.mod::bad', status: 'failed', message: 'expected <1>' },
      { id: 'pkg.mod::boom', status: 'failed', message: 'ImportError' },
      { id: 'pkg.mod::later', status: 'skipped', message: undefined },
    ]);
    expect(suiteErrors(xml)).toBe(0);
    expect(suiteErrors('<testsuites><testsuite errors="2"></testsuite></testsuites>')).toBe(2);
  });
});

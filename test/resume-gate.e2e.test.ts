import { describe, expect, it } from 'vitest';
import { taskOf, writesFiles } from './cli-harness.js';
import { afterResume, killedAt } from './resume-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// Issue 16: the gate a resumed run uses is the one it was started with: the verify command given
// as a flag, a forced gate mode, the verify report and the plan's partialProgress. Each run is
// killed with -9 before its gate opened (or before a merge) and resumed with no flags.
const model = scriptedModelForFile([
  { when: (c) => taskOf(c) === 'bad', reply: writesFiles({ 'bad.txt': 'bad\n' }) },
  // Makes the `feature` test pass; `always-red` stays red whatever a task does.
  { when: (c) => taskOf(c) === 'feature', reply: writesFiles({ 'feature.txt': 'feature\n' }) },
]);


/** A red base with per-test results: `node --test` (which caid reports as JUnit by itself), one test never passing. */
const NODE_TESTS = {
  'package.json': '{ "name": "t", "type": "module" }\n',
  'test/red.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert';\ntest('always-red', () => assert.fail('red on purpose'));\n",
  'test/feature.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { existsSync } from 'node:fs';\ntest('feature', () => assert.ok(existsSync('feature.txt')));\n",
};

/** The same two tests from a runner caid does not recognise: a script writing its own JUnit report. */
const SCRIPT_TESTS = {
  'verify.sh': [
    'mkdir -p reports',
    'if [ -e feature.txt ]; then f=""; else f="<failure message=\\"missing\\"/>"; fi',
    'printf \'<testsuite name="s" tests="2"><testcase classname="s" name="always-red"><failure message="red"/></testcase><testcase classname="s" name="feature">%s</testcase></testsuite>\\n\' "$f" > reports/out.xml',
    'exit 1',
    '',
  ].join('\n'),
};

describe('resume keeps the recorded gate', () => {
  it('verify: the --verify given to run (over the plan\'s `true`) still judges the resumed merge', async () => {
    const r = await killedAt('task.finished:1', 'goal: g\nverify: "true"\ntasks:\n  - { id: bad, prompt: p }\n',
      [...model.flags(), '--verify', 'test ! -e bad.txt', '--verify-attempts', '1']);
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(resumed.summary!.tasks[0]).toMatchObject({ id: 'bad', status: 'failed' });
    expect(afterResume(r.events()).find((e) => e.type === 'task.verify-failed')).toMatchObject({ taskId: 'bad', command: 'test ! -e bad.txt' });
  }, 30_000);

  it('gate: --gate all, killed before the gate opened, refuses a merge the base\'s own choice (no-regression) would take', async () => {
    const r = await killedAt('run.started:1', 'goal: g\nverify: node --test\ntasks:\n  - { id: feature, prompt: p }\n',
      [...model.flags(), '--gate', 'all', '--verify-attempts', '1'], { files: NODE_TESTS });
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    const after = afterResume(r.events());
    expect(after.find((e) => e.type === 'run.gate')).toMatchObject({ mode: 'all', reason: '--gate all (verify fails on the base)' });
    expect(resumed.summary!.tasks[0]).toMatchObject({ id: 'feature', status: 'failed' });
  }, 30_000);

  it('verifyReport and partialProgress: the resumed gate reads the recorded report, judges no-regression, and progress counts as success', async () => {
    // Without the report caid could not read per-test results and would demand a green verify (gate all);
    // without partialProgress a run ending with a red test would be `incomplete`.
    const plan = 'goal: g\nverify: sh verify.sh\npartialProgress: true\ntasks:\n  - { id: feature, prompt: p }\n';
    const r = await killedAt('run.started:1', plan, [...model.flags(), '--verify-report', 'reports/out.xml'], { files: SCRIPT_TESTS });
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = afterResume(r.events());
    expect(after.find((e) => e.type === 'run.gate')).toMatchObject({ mode: 'no-regression', tests: { passed: 0, failed: 2, total: 2 } });
    expect(after.find((e) => e.type === 'task.gate')).toMatchObject({ accepted: true, tests: { passed: 1, failed: 1, total: 2 } });
    expect(resumed.summary).toMatchObject({ status: 'succeeded', tasks: [{ id: 'feature', status: 'merged' }] });
  }, 30_000);
});

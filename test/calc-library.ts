import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeRepo } from './cli-harness.js';

/**
 * The gate's small library built from nothing (issue 19): the package `calc` needs both of its
 * modules before any test can run (conftest imports it), so its suite does not run on the base.
 */
export const CALC_LIB: Record<string, string> = {
  '.gitignore': '__pycache__/\n',
  'calc/__init__.py': 'from .add import add\nfrom .mul import mul\n',
  'tests/conftest.py': 'import calc  # noqa: F401  (the package must import before any test runs)\n',
  'tests/test_add.py': 'from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
  'tests/test_mul.py': 'from calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n',
};

/** Whether the agent's newest message is a reopen (its merged code fails tests). */
export const isReopen = (lastUser: string) => /your merged code fails these tests/i.test(lastUser);

/** A repository of `lib` under `dir` and a plan `dir/plan.yaml` gated by pytest, with these task lines. */
export function calcProject(dir: string, tasks: string[], lib = CALC_LIB): { repo: string; plan: string } {
  const repo = makeRepo(path.join(dir, 'repo'), lib);
  const plan = path.join(dir, 'plan.yaml');
  writeFileSync(plan, ['goal: implement calc', 'verify: python3 -m pytest -q', 'tasks:', ...tasks.map((t) => `  - ${t}`), ''].join('\n'));
  return { repo, plan };
}

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { detectTestCommand } from '@caid/planner';

/** The starter `plan.yaml` `caid init` writes; `verify` is the repository's test command when one was found. */
export const starterPlanText = (verify: string | undefined): string => `# plan.yaml, written by \`caid init\`: a starter plan. Edit the goal, the verify command and the
# tasks, then: caid run --plan plan.yaml   (or let the planner write one: caid plan "your goal")
goal: Add a CONTRIBUTING.md and a small test of the project's entry point
${verify ? `verify: ${verify}       # found in this repository: must pass after every merge` : '# verify: npm test        # must pass after every merge; without it, merges are not tested'}
tasks:
  - id: contributing
    title: Write CONTRIBUTING.md
    prompt: Write CONTRIBUTING.md explaining how to set up, test and submit changes to this project.
    files: [CONTRIBUTING.md]
  - id: smoke-test
    title: Add a smoke test
    prompt: Add one small test that imports the project's main entry point and checks it loads.
    dependsOn: []
`;

/**
 * Whether `file` is still exactly a starter `caid init` would write in its folder: then nothing in
 * it is the user's, and `caid plan` may replace it (`caid init` then `caid plan "goal"` is the
 * README's path). Any edit at all, or a starter from a test command the repository no longer
 * has, makes it the user's file.
 */
export function isUntouchedStarter(file: string): boolean {
  if (!statSync(file).isFile()) return false;
  const text = readFileSync(file, 'utf8');
  const found = detectTestCommand(path.dirname(file));
  // `python` or `python3` follows the PATH of the moment, which may differ from init's.
  const pythons = found && /^python3? /.test(found) ? ['python', 'python3'].map((p) => found.replace(/^python3? /, `${p} `)) : [];
  return [found, ...pythons, undefined].some((verify) => text === starterPlanText(verify));
}

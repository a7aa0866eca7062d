#!/usr/bin/env node
// Fails when an error is swallowed without a trace (issue 18): see check-catches-lib.mjs for the rule.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { swallowedErrors } from './check-catches-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const problems = swallowedErrors(root);
if (problems.length) {
  console.error(`Swallowed-error check failed: each catch below neither rethrows, logs (e.g. log.dropped('why', ctx)(err)), uses the error, nor says \`// expected: why\`:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.error('Swallowed-error check: every catch rethrows, logs, uses the error or says why silence is expected.');

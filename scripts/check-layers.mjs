#!/usr/bin/env node
// Fails when a package imports one above (or beside) it in ARCHITECTURE.md's table.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYERS, EXCLUSIVE } from './layers.mjs';
import { layerViolations } from './check-layers-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const problems = layerViolations(root, LAYERS, EXCLUSIVE);
if (problems.length) {
  console.error(`Layer check failed (ARCHITECTURE.md "Packages"):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.error('Layer check: every @caid import goes down the table.');

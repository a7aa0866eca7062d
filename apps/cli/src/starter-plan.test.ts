import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isUntouchedStarter, starterPlanText } from './starter-plan.js';

const dirs: string[] = [];
const folder = (files: Record<string, string> = {}) => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'caid-starter-'));
  dirs.push(d);
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(d, f), text);
  return d;
};
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('isUntouchedStarter', () => {
  it('is true for the starter init writes with the folder\'s test command, or with none', () => {
    const d = folder({ 'package.json': JSON.stringify({ scripts: { test: 'node --test' } }) });
    writeFileSync(path.join(d, 'plan.yaml'), starterPlanText('npm test'));
    expect(isUntouchedStarter(path.join(d, 'plan.yaml'))).toBe(true);
    writeFileSync(path.join(d, 'plan.yaml'), starterPlanText(undefined));
    expect(isUntouchedStarter(path.join(d, 'plan.yaml'))).toBe(true);
  });

  it('is false after any edit, for a verify the user chose, and for a folder', () => {
    const d = folder({ 'package.json': JSON.stringify({ scripts: { test: 'node --test' } }) });
    const file = path.join(d, 'plan.yaml');
    writeFileSync(file, starterPlanText('npm test'));
    appendFileSync(file, '\n');
    expect(isUntouchedStarter(file)).toBe(false);
    // The same text with another verify: the user's choice, not init's.
    writeFileSync(file, starterPlanText('make check'));
    expect(isUntouchedStarter(file)).toBe(false);
    mkdirSync(path.join(d, 'dir.yaml'));
    expect(isUntouchedStarter(path.join(d, 'dir.yaml'))).toBe(false);
  });
});

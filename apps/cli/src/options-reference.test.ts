import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionsReference, REFERENCE_BEGIN, REFERENCE_END } from './options-reference.js';

const README = path.resolve(__dirname, '../../../README.md');
const CLI = path.resolve(__dirname, '../bin/caid.js');

describe('README option tables', () => {
  it('the option reference is the one generated from the declared option groups (UPDATE_README=1 rewrites it)', () => {
    const text = readFileSync(README, 'utf8');
    const start = text.indexOf(REFERENCE_BEGIN);
    const end = text.indexOf(REFERENCE_END);
    expect(start, 'README has the generated option reference markers').toBeGreaterThan(0);
    const generated = `${REFERENCE_BEGIN}\n\n${optionsReference()}\n${REFERENCE_END}`;
    if (process.env.UPDATE_README) writeFileSync(README, text.slice(0, start) + generated + text.slice(end + REFERENCE_END.length));
    else expect(text.slice(start, end + REFERENCE_END.length)).toBe(generated);
  });

  it('every flag in a README table row is one a command really takes', () => {
    const help = ['run', 'resume', 'plan', 'worker', 'status', 'runs', 'logs', 'abort', 'clean', 'serve', 'land']
      .map((c) => { try { return execFileSync(process.execPath, [CLI, c, '--help'], { encoding: 'utf8' }); } catch { return ''; } }).join('\n');
    const declared = new Set(help.match(/--[a-z][a-z0-9-]*/g));
    const inTables = readFileSync(README, 'utf8').split('\n').filter((l) => l.startsWith('| `--')).flatMap((l) => l.split('|')[1]!.match(/--[a-z][a-z0-9-]*/g) ?? []);
    expect(inTables.length).toBeGreaterThan(20);
    expect(inTables.filter((f) => !declared.has(f))).toEqual([]);
  });
});

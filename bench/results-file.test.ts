import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { writeSection } from './lib/results-file.mjs';
// @ts-expect-error plain ESM without types
import { stats } from './lib/stats.mjs';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('RESULTS.md sections', () => {
  it('rewrites only its own section, keeps other teams\' sections, puts the header first', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-results-'));
    dirs.push(dir);
    const file = path.join(dir, 'RESULTS.md');
    writeFileSync(file, '# results\n\n<!-- bench:queue-overhead -->\nBullMQ 1.0\n<!-- /bench:queue-overhead -->\n');
    writeSection('memory', 'peak 100 MB', undefined, file);
    writeSection('memory', 'peak 120 MB', undefined, file);
    writeSection('header', 'machine X', undefined, file);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('BullMQ 1.0');
    expect(text).toContain('peak 120 MB');
    expect(text).not.toContain('peak 100 MB');
    expect(text.indexOf('machine X')).toBeLessThan(text.indexOf('BullMQ 1.0'));
    expect(text.match(/<!-- bench:memory -->/g)).toHaveLength(1);
  });

  it('summarises runs as min / median / max', () => {
    expect(stats([3, 1, 2, 10])).toEqual({ n: 4, min: 1, median: 2.5, max: 10 });
  });
});

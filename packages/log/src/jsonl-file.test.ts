import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlFile } from './jsonl-file.js';

const dirs: string[] = [];
const fileIn = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-jsonl-'));
  dirs.push(dir);
  return path.join(dir, 'sub', 'log.jsonl');
};
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('JsonlFile', () => {
  it('writes one line per record with every secret redacted, and hands back what it wrote', () => {
    const file = fileIn();
    const lines = new JsonlFile(file, ['hunter2-value']);
    const plain = { t: 'note', text: 'nothing to hide' };
    const [same, cleaned] = lines.append(plain, { t: 'note', text: 'key hunter2-value, token sk-abcdefghijklmnopqrstuv, url http://u:pw@h/v1' });
    expect(same).toBe(plain);
    const disk = readFileSync(file, 'utf8');
    expect(disk.split('\n')).toHaveLength(3);
    for (const secret of ['hunter2-value', 'sk-abcdefghijklmnopqrstuv', 'u:pw@']) expect(disk).not.toContain(secret);
    expect(cleaned).toEqual(JSON.parse(disk.split('\n')[1]!));
    expect(lines.read()).toEqual([plain, cleaned]);
  });

  it('ends a line a crash tore before its next record, and reading skips the torn one', () => {
    const file = fileIn();
    new JsonlFile(file).append({ n: 1 });
    appendFileSync(file, '{"n": 2, "cut sh');
    const again = new JsonlFile(file);
    expect(again.read()).toEqual([{ n: 1 }]);
    again.append({ n: 3 });
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n": 2, "cut sh\n{"n":3}\n');
    expect(again.read()).toEqual([{ n: 1 }, { n: 3 }]);
  });
});

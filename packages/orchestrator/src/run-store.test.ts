import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listRunIds, runsDir } from './run-store.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));
const run = (id: string, at: string) => {
  mkdirSync(path.join(runsDir(root), id), { recursive: true });
  writeFileSync(path.join(runsDir(root), id, 'events.jsonl'), `${JSON.stringify({ type: 'run.started', runId: id, at })}\n${JSON.stringify({ type: 'run.finished', at })}\n`);
};

describe('listRunIds', () => {
  it('lists runs oldest first, by their start time where their ids share the same second', () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'caid-runs-'));
    run('20261201-121518-zzzz', '2026-12-01T12:15:18.100Z');
    run('20261201-121518-aaaa', '2026-12-01T12:15:18.900Z');
    run('20261201-121517-mmmm', '2026-12-01T12:15:17.500Z');
    run('20261201-121519-0000', '2026-12-01T12:15:19.000Z');
    mkdirSync(path.join(runsDir(root), '20261201-121520-nolog'));
    expect(listRunIds(root)).toEqual(['20261201-121517-mmmm', '20261201-121518-zzzz', '20261201-121518-aaaa', '20261201-121519-0000']);
  });
});

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadExchanges } from './start-replay-server.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/llama-server');

describe('llama-server fixtures', () => {
  // A replay test is only as good as its bytes: one written by hand must say so where it is read, not only in a README.
  it('every exchange is either recorded (its recording time) or marked as synthesized with why', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      for (const ex of loadExchanges(path.join(dir, f))) {
        const recorded = typeof ex.t === 'string' && !Number.isNaN(Date.parse(ex.t));
        const synthesized = typeof ex.synthesized === 'string' && ex.synthesized.startsWith('not recorded: ');
        expect(recorded !== synthesized, `${f}: ${ex.url}`).toBe(true);
      }
    }
  });
});

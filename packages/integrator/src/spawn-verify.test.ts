import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { spawnVerify } from './spawn-verify.js';

/** Processes whose command line contains `needle`. */
function running(needle: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0').join(' ').includes(needle)) out.push(Number(p));
    } catch {
      // gone
    }
  }
  return out;
}
const unique = () => `1000.${Math.floor(Math.random() * 1e9)}`;
const opts = { cwd: os.tmpdir(), timeoutMs: 60_000 };

describe.runIf(process.platform === 'linux')('spawnVerify', () => {
  it('when the command ends, kills what it left behind, even a setsid child holding its output open', async () => {
    const secs = unique();
    const r = await spawnVerify(`setsid sleep ${secs} & sleep ${secs}1 & echo started`, opts);
    // without the kill this would wait for the 60 s timeout: the children hold stdout
    expect(r).toMatchObject({ exitCode: 0, timedOut: false, cancelled: false });
    expect(r.output).toContain('started');
    expect(running(`sleep ${secs}`)).toEqual([]);
  });

  it('on timeout and on cancel, kills the whole tree', async () => {
    const secs = unique();
    const timed = await spawnVerify(`setsid sleep ${secs} & sleep ${secs}`, { ...opts, timeoutMs: 1500 });
    expect(timed).toMatchObject({ exitCode: null, timedOut: true });
    expect(running(`sleep ${secs}`)).toEqual([]);
    const ac = new AbortController();
    const pending = spawnVerify(`setsid sleep ${secs} & sleep ${secs}`, { ...opts, signal: ac.signal });
    setTimeout(() => ac.abort(), 1000);
    expect(await pending).toMatchObject({ exitCode: null, cancelled: true });
    expect(running(`sleep ${secs}`)).toEqual([]);
  });

  it('reports the exit code and the interleaved output', async () => {
    const r = await spawnVerify('echo out; echo err >&2; exit 3', opts);
    expect(r.exitCode).toBe(3);
    expect(r.output).toMatch(/out\n[\s\S]*err/);
  });
});

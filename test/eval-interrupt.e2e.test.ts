import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commit0Library } from './commit0-library.js';

const CLI = path.resolve(import.meta.dirname, '..', 'apps', 'cli', 'bin', 'caid.js');
const hasPytest = spawnSync('python3', ['-m', 'pytest', '--version'], { stdio: 'ignore' }).status === 0;
const root = mkdtempSync(path.join(os.tmpdir(), 'caid-eval-int-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Alive and not a zombie (a killed process whose parent has not reaped it yet is gone for our purpose). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false; // no /proc entry: the process is gone
  }
}

/** Processes whose command line mentions `needle` (read from /proc). */
function processesWith(needle: string): number[] {
  return readdirPids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle) && alive(pid);
    } catch {
      return false; // the process ended while we looked
    }
  });
}
const readdirPids = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);

/** A Commit0-shaped library whose test hangs and starts a child that hangs too; both write their pid. */
function hangingLibrary(dir: string, pids: string): void {
  commit0Library(dir, {
    'hanglib/__init__.py': '',
    'hanglib/core.py': 'def add(a, b):\n    return a + b\n',
    'tests/test_hang.py': [
      'import os, subprocess, sys, time',
      'def test_hangs():',
      `    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)  # caid-eval-hang-child"])`,
      `    with open(${JSON.stringify(pids)} + ".tmp", "w") as f:`,
      '        f.write(f"{os.getpid()} {child.pid}")',
      `    os.rename(${JSON.stringify(pids)} + ".tmp", ${JSON.stringify(pids)})`,
      '    time.sleep(600)',
      '',
    ].join('\n'),
  }, { 'hanglib/core.py': 'def add(a, b):\n    pass\n' });
}

describe.skipIf(!hasPytest || process.platform !== 'linux')('caid eval commit0 interrupted', () => {
  it('SIGTERM stops the eval with exit 130 and leaves no test process running', async () => {
    const pids = path.join(root, 'pids');
    const lib = path.join(root, 'hanglib');
    hangingLibrary(lib, pids);
    const child = spawn(process.execPath, [CLI, 'eval', 'commit0', '--lib', lib, '--workers', '1', '--latency-ms', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OPENAI_API_KEY: '' } });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // The reference's test run is the first thing eval does: wait until the hanging test is inside it.
    for (let i = 0; i < 1200 && !existsSync(pids); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(pids), stderr).toBe(true);
    const [pytestPid, sleeperPid] = readFileSync(pids, 'utf8').split(' ').map(Number) as [number, number];
    expect(alive(pytestPid) && alive(sleeperPid)).toBe(true);
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(130);
    expect(alive(pytestPid)).toBe(false);
    expect(alive(sleeperPid)).toBe(false);
    expect(processesWith('caid-eval-hang-child')).toEqual([]);
  }, 180_000);
});

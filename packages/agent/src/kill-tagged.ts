import { readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { logger } from '@caid/log';

const alog = logger('agent');

/** The environment variable that marks every process started for one agent command. */
export const COMMAND_TAG = 'CAID_COMMAND_TAG';

export const newCommandTag = (): string => randomUUID();

/**
 * Kills every process whose environment carries `tag`: a process that left the command's process
 * group (`setsid`, a double fork) still inherited its environment. Repeats until none is found,
 * since a process may fork while being killed. Linux only (/proc); elsewhere it finds nothing.
 * A process that scrubbed its own environment escapes this; the bwrap sandbox (PID namespace) does not
 * depend on it.
 */
export function killTagged(tag: string): number {
  const needle = Buffer.from(`${COMMAND_TAG}=${tag}\0`);
  let killed = 0;
  for (let pass = 0; pass < 5; pass++) {
    let found = 0;
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    } catch (err) {
      alog.debug({ err }, 'no /proc: tagged processes cannot be found (the process group was killed already)');
      return killed;
    }
    for (const pid of pids) {
      if (Number(pid) === process.pid) continue;
      let env: Buffer;
      try {
        env = readFileSync(`/proc/${pid}/environ`);
      } catch {
        continue; // expected: gone, or another user's process (every pid is tried)
      }
      if (!env.includes(needle)) continue;
      try {
        process.kill(Number(pid), 'SIGKILL');
        found++;
      } catch (err) {
        alog.dropped('tagged process not killed: it exited between the read and the kill', { pid })(err);
      }
    }
    killed += found;
    if (found === 0) break;
  }
  return killed;
}

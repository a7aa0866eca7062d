import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError, runDir } from '@caid/core';
import { logger } from '@caid/log';

const oplog = logger('orchestrator');

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  heartbeatAt: string;
}

const HEARTBEAT_MS = 5_000;
/** A holder on another host is presumed dead once its heartbeat is this old. */
const STALE_MS = 30_000;

export const lockFile = (repoRoot: string, runId: string) => path.join(repoRoot, runDir(runId), 'owner.json');

export function readOwner(repoRoot: string, runId: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(lockFile(repoRoot, runId), 'utf8')) as LockOwner;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') oplog.debug({ err, runId }, 'run lock unreadable: treated as not held');
    return null;
  }
}

/** Whether the process that holds a run's lock is still driving it. */
export function isAlive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return Date.now() - Date.parse(owner.heartbeatAt) < STALE_MS;
  try {
    process.kill(owner.pid, 0);
  } catch {
    // expected: the error is the answer: no such process (a process of another user never holds our run's lock)
    return false;
  }
  // A killed process nobody has reaped yet is a zombie: dead for our purposes.
  try {
    return readFileSync(`/proc/${owner.pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    // expected: no /proc (not Linux), kill(pid, 0) said it lives, and that is all we can know
    return true;
  }
}

/** One owner per run: a live holder is refused with a clear message; a dead one is taken over. */
export class RunLock {
  private timer: NodeJS.Timeout;

  private readonly file: string;

  private constructor(private readonly repoRoot: string, private readonly runId: string, private owner: LockOwner) {
    this.file = lockFile(repoRoot, runId);
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  static acquire(repoRoot: string, runId: string): RunLock {
    const file = lockFile(repoRoot, runId);
    const held = readOwner(repoRoot, runId);
    if (held && held.pid !== process.pid && isAlive(held)) {
      throw new InputError(`run ${runId} is being driven by process ${held.pid} on ${held.host} (heartbeat ${Math.round((Date.now() - Date.parse(held.heartbeatAt)) / 1000)}s ago); stop it with \`caid abort ${runId}\` or wait for it to end`);
    }
    const now = new Date().toISOString();
    const owner = { pid: process.pid, host: os.hostname(), startedAt: now, heartbeatAt: now };
    if (!existsSync(file)) {
      // Exclusive create: of two processes starting at once, exactly one gets the lock.
      try {
        writeFileSync(file, `${JSON.stringify(owner)}\n`, { flag: 'wx' });
      } catch (err) {
        oplog.debug({ err, runId }, 'run lock: lost the exclusive create, looking again');
        return RunLock.acquire(repoRoot, runId);
      }
      return new RunLock(repoRoot, runId, owner);
    }
    const lock = new RunLock(repoRoot, runId, owner);
    lock.write();
    return lock;
  }

  release(): void {
    clearInterval(this.timer);
    const current = readOwner(this.repoRoot, this.runId);
    if (current?.pid === this.owner.pid && current.host === this.owner.host) rmSync(this.file, { force: true });
  }

  private beat(): void {
    this.owner = { ...this.owner, heartbeatAt: new Date().toISOString() };
    try {
      this.write();
    } catch (err) {
      // a missed heartbeat only makes the lock look older; the run itself goes on
      oplog.debug({ err, file: this.file }, 'run lock heartbeat not written');
    }
  }

  private write(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.owner)}\n`);
    renameSync(tmp, this.file);
  }
}

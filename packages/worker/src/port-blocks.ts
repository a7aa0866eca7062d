import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { logger } from '@caid/log';

const wlog = logger('worker');

export const PORT_BLOCK = 10;
const FIRST = 20_000;
// Stay below the kernel's ephemeral range: an outgoing connection may take any port in it at any time.
const LAST = Math.min(32_760, ephemeralStart() - (ephemeralStart() % PORT_BLOCK));

function ephemeralStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    // expected: not Linux, the usual start of the ephemeral range
    return 32_768;
  }
}
const LOCKS = path.join(os.tmpdir(), 'caid-ports');

const free = (port: number) => new Promise<boolean>((resolve) => {
  const srv = net.createServer();
  srv.once('error', () => resolve(false)); // expected: the port is taken (or not ours to bind): that is the answer
  srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A block of PORT_BLOCK consecutive ports for one task: every port free when allocated, and the
 * block held by a lock file (pid inside) so no other task — in this process or another caid
 * process on the machine — gets it while the task lives. A dead holder's block is reclaimed.
 */
export async function allocatePortBlock(owner: string, start = FIRST + Math.floor(Math.random() * ((LAST - FIRST) / PORT_BLOCK)) * PORT_BLOCK): Promise<PortBlock> {
  mkdirSync(LOCKS, { recursive: true });
  const span = LAST - FIRST;
  for (let i = 0; i < span / PORT_BLOCK; i++) {
    const base = FIRST + ((start - FIRST + i * PORT_BLOCK) % span);
    const lock = path.join(LOCKS, `${base}.lock`);
    if (!claim(lock, owner)) continue;
    const ports = Array.from({ length: PORT_BLOCK }, (_, k) => base + k);
    if ((await Promise.all(ports.map(free))).every(Boolean)) return new PortBlock(base, lock);
    rmSync(lock, { force: true });
  }
  throw new Error(`no free block of ${PORT_BLOCK} ports between ${FIRST} and ${LAST}`);
}

function claim(lock: string, owner: string): boolean {
  const body = `${JSON.stringify({ pid: process.pid, owner })}\n`;
  try {
    writeFileSync(lock, body, { flag: 'wx' });
    return true;
  } catch {
    try {
      const held = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number };
      if (alive(held.pid)) return false;
      rmSync(lock, { force: true });
      writeFileSync(lock, body, { flag: 'wx' });
      return true;
    } catch (err) {
      wlog.debug({ err, lock }, 'port block taken by another process');
      return false;
    }
  }
}

export class PortBlock {
  constructor(readonly base: number, private readonly lock: string) {}

  release(): void {
    rmSync(this.lock, { force: true });
  }
}

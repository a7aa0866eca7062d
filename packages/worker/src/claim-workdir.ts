import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '@caid/core';
import { logger } from '@caid/log';

const wlog = logger('worker');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Makes this process the only worker using `workdir`: two workers sharing one clone would race
 * on its refs and worktrees. A lock left by a killed worker is taken over.
 */
export function claimWorkdir(workdir: string): () => void {
  mkdirSync(workdir, { recursive: true });
  const lock = path.join(workdir, 'worker.pid');
  let holder = NaN;
  try {
    holder = Number(readFileSync(lock, 'utf8').trim());
  } catch (err) {
    wlog.dropped('no worker lock to read yet', { lock })(err);
  }
  if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
    throw new InputError(`worker directory ${workdir} is in use by process ${holder}: give each worker its own --workdir`);
  }
  writeFileSync(lock, `${process.pid}\n`);
  return () => {
    try {
      if (Number(readFileSync(lock, 'utf8').trim()) === process.pid) writeFileSync(lock, '');
    } catch (err) {
      wlog.dropped('worker lock not released: gone already', { lock })(err);
    }
  };
}

import path from 'node:path';
import { InputError } from '@caid/core';
import { Repo } from '@caid/git';
import { startDashboard, type DashboardServer } from './dashboard-server.js';
import { logger } from '@caid/log';

const clog = logger('cli');

export interface ServeFlags { repo: string; port: string; host: string }

export function parsePort(value: string, flag = '--port'): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InputError(`${flag} takes a port number from 0 to 65535 (0 picks a free one), not "${value}"`);
  return n;
}

/** Starts the dashboard on the repository's runs; a port in use is bad input (exit 2). */
export async function openDashboard(repoDir: string, port: number, host: string, anyPortIfTaken = false): Promise<DashboardServer> {
  const repo = await Repo.open(path.resolve(repoDir)).catch((err: unknown) => { clog.debug({ err, repo: repoDir }, 'cannot open the repository'); return null; });
  if (!repo) throw new InputError(`${path.resolve(repoDir)} is not a git repository (pass --repo DIR)`);
  try {
    return await startDashboard({ repoRoot: repo.root, host, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && anyPortIfTaken) return startDashboard({ repoRoot: repo.root, host, port: 0 });
    if (code === 'EADDRINUSE') throw new InputError(`port ${port} on ${host} is in use: pass --port N (or --port 0 for any free port)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new InputError(`cannot listen on host "${host}": pass --host with an address of this machine`);
    throw e;
  }
}

/** `caid serve`: serves the dashboard until Ctrl-C. */
export async function serveCommand(f: ServeFlags): Promise<number> {
  const server = await openDashboard(f.repo, parsePort(f.port), f.host);
  if (!['127.0.0.1', '::1', 'localhost'].includes(f.host)) {
    process.stderr.write(`caid: serving on ${f.host}: anyone who can reach it can read these runs' prompts and transcripts\n`);
  }
  process.stdout.write(`caid dashboard: ${server.url}/  (read-only; Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

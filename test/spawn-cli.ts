import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './cli-harness.js';

export interface LiveCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first match of `re` in stdout+stderr, as the process prints it. */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** The real `caid` bin as a long-lived child (serve, run --ui), read while it runs. */
export function spawnCli(args: string[], env: Record<string, string> = {}): LiveCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const wake = () => { for (const w of [...waiters]) w(); };
  child.stdout!.on('data', (d) => { out += d; wake(); });
  child.stderr!.on('data', (d) => { err += d; wake(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => { wake(); resolve(code); }));
  let done = false;
  void exited.then(() => { done = true; wake(); });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (re) => new Promise((resolve, reject) => {
      const check = () => {
        const m = (out + err).match(re);
        if (m) { waiters.delete(check); resolve(m); } else if (done) { waiters.delete(check); reject(new Error(`caid exited before printing ${re}:\n${out}\n${err}`)); }
      };
      waiters.add(check);
      check();
    }),
    stop: async () => {
      if (!done) child.kill('SIGTERM');
      return exited;
    },
  };
}

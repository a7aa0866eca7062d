import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** What a reader needs to compare our numbers with theirs. */
export function machine() {
  const cpus = os.cpus();
  let git = 'unknown';
  try {
    git = execFileSync('git', ['--version']).toString().trim().replace(/^git version /, '');
  } catch { /* reported as unknown */ }
  return {
    cpu: `${cpus.length} x ${cpus[0]?.model ?? 'unknown cpu'}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    git,
    load: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    date: new Date().toISOString(),
  };
}

export function machineLine(m = machine()) {
  return `${m.cpu}, ${m.memory} RAM, ${m.os}; Node ${m.node}, git ${m.git}; load average at start ${m.load}; ${m.date}`;
}

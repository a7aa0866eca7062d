import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinTools, sandboxProblem, type SandboxKind } from '@caid/agent';
import { Repo } from '@caid/git';

/**
 * Red team: the agent's `run` tool plays the attacker with real processes, real git and real
 * bubblewrap. Each case is an attack from issue 15 that worked on fe979b6.
 */
const ctx = { signal: new AbortController().signal };
const bwrap = sandboxProblem('bwrap') === null;

function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
  } catch {
    return false;
  }
}

let base: string;
let repoDir: string;
let worktree: string;
beforeAll(async () => {
  base = mkdtempSync(path.join(os.tmpdir(), 'caid-redteam-'));
  repoDir = path.join(base, 'repo');
  execFileSync('git', ['init', '-q', '-b', 'main', repoDir]);
  writeFileSync(path.join(repoDir, 'a.txt'), 'a\n');
  execFileSync('git', ['-C', repoDir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'init', '--allow-empty']);
  execFileSync('git', ['-C', repoDir, 'add', '.']);
  execFileSync('git', ['-C', repoDir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'a']);
  worktree = path.join(base, 'wt');
  execFileSync('git', ['-C', repoDir, 'worktree', 'add', '-q', '-b', 'caid/r/tasks/t', worktree]);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const run = async (command: string, sandbox: SandboxKind) => {
  const tool = builtinTools(worktree, { sandbox, runTimeoutSec: 20 })[0]!;
  return (await tool.execute(tool.schema.parse({ command }), ctx)) as string;
};

describe.each(bwrap ? (['none', 'bwrap'] as const) : (['none'] as const))('every process an agent starts dies with its command (sandbox %s)', (sandbox) => {
  it('a process started with setsid does not outlive the command', async () => {
    const out = await run('setsid sh -c \'echo "pid $$"; exec sleep 300\' > setsid.pid 2>&1 < /dev/null & sleep 1; echo started', sandbox);
    expect(out).toContain('started');
    if (sandbox === 'bwrap') return; // its pid is of another namespace; the namespace died with the command
    const pid = Number(/pid (\d+)/.exec(readFileSync(path.join(worktree, 'setsid.pid'), 'utf8'))![1]);
    expect(alive(pid)).toBe(false);
  });

  it('a background process holding the output open neither hangs the call until its timeout nor outlives it', async () => {
    const marker = `caid-redteam-hold-${sandbox}-${process.pid}`;
    // No redirect: the sleeper keeps the command's stdout pipe open after the shell exits.
    const out = await run(`sh -c 'exec -a ${marker} sleep 300' & echo started`, sandbox);
    expect(out).toContain('started');
    expect(out).not.toMatch(/timed out/);
    const survivors = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.includes(marker));
    expect(survivors).toEqual([]);
  });

  it('a double-forked daemon does not outlive the command', async () => {
    const marker = `caid-redteam-${sandbox}-${process.pid}`;
    await run(`(sh -c 'exec -a ${marker} sleep 300' > /dev/null 2>&1 < /dev/null &) ; sleep 1; echo forked`, sandbox);
    const survivors = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.includes(marker));
    expect(survivors).toEqual([]);
  });
});

describe('secrets never reach the agent', () => {
  it('SENTRY_DSN, SLACK_WEBHOOK_URL and credentials in URLs are not in the agent environment', async () => {
    const planted = {
      SENTRY_DSN: 'https://0123456789abcdef@o1.ingest.sentry.io/42', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/redteamsecret',
      ODD_NAME: 'postgres://u:redteam-pw-123@db/x', CAID_REDTEAM_API_KEY: 'sk-redteam-abcdefghijklmnop',
    };
    Object.assign(process.env, planted);
    try {
      const out = await run('env', 'none');
      for (const v of Object.values(planted)) expect(out).not.toContain(v);
      expect(out).toContain('PATH=');
    } finally {
      for (const k of Object.keys(planted)) delete process.env[k];
    }
  });

  it.runIf(bwrap)('under bwrap no visible process holds a key in its environment (/proc/<pid>/environ of the coordinator)', async () => {
    process.env.CAID_REDTEAM_TOKEN = 'redteam-token-0123456789';
    try {
      const out = await run('for f in /proc/[0-9]*/environ; do tr "\\0" "\\n" < "$f"; done 2>/dev/null; ls /proc | grep -c "^[0-9]"', 'bwrap');
      expect(out).not.toContain('redteam-token-0123456789');
      // Its own PID namespace: only the command's few processes are visible, none of caid's.
      expect(Number(out.trim().split('\n').at(-1))).toBeLessThan(10);
    } finally {
      delete process.env.CAID_REDTEAM_TOKEN;
    }
  });
});

describe.runIf(bwrap)('caid never runs what an agent planted (bwrap)', () => {
  it('the worktree .git pointer is read-only inside the sandbox', async () => {
    const before = readFileSync(path.join(worktree, '.git'), 'utf8');
    const out = await run(`mkdir -p evil && git init -q evil/repo; echo "gitdir: $PWD/evil/repo/.git" > .git; echo "exit $?"`, 'bwrap');
    expect(out).not.toMatch(/exit 0$/m);
    expect(readFileSync(path.join(worktree, '.git'), 'utf8')).toBe(before);
  });
});

describe('caid never runs what an agent planted (git)', () => {
  it('a core.fsmonitor and a hook planted in the repository config do not run on caid\'s status and commit', async () => {
    // An embedded repository left by the bwrap case would stop `git add -A` (a known open gap, see the note of issue 15).
    rmSync(path.join(worktree, 'evil'), { recursive: true, force: true });
    const marker = path.join(base, 'planted-ran');
    writeFileSync(path.join(worktree, 'evil.sh'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    execFileSync('git', ['-C', repoDir, 'config', 'core.fsmonitor', path.join(worktree, 'evil.sh')]);
    execFileSync('git', ['-C', repoDir, 'config', 'core.hooksPath', worktree]);
    writeFileSync(path.join(worktree, 'pre-commit'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    try {
      const repo = await Repo.open(repoDir);
      const wt = repo.worktree(worktree);
      await wt.status();
      expect(await wt.commitAll('agent work')).toMatch(/^[0-9a-f]{40}$/);
      expect(() => readFileSync(marker)).toThrow();
    } finally {
      execFileSync('git', ['-C', repoDir, 'config', '--unset', 'core.fsmonitor']);
      execFileSync('git', ['-C', repoDir, 'config', '--unset', 'core.hooksPath']);
    }
  });
});

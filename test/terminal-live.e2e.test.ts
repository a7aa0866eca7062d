import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { CLI, call, makeRepo, removeTemps, runCli, taskOf, tempDir } from './cli-harness.js';

// A real terminal: tmux runs `caid run` in a 140x40 pane and the test reads the screen back.
const SOCKET = `caid-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'run');
const history = () => tmux('capture-pane', '-p', '-S', '-', '-t', 'run');
async function waitForScreen(re: RegExp, read = screen): Promise<string> {
  // Gives up well inside the test timeout so a failure shows what the terminal held.
  for (let i = 0; ; i++) {
    const text = read();
    if (re.test(text)) return text;
    if (i > 250) throw new Error(`the terminal never showed ${re}; it holds:\n${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let dir: string;
let model: ScriptedModelServer;
let plan: string;
let repo: string;
const gate = () => path.join(dir, 'gate');

beforeAll(async () => {
  dir = tempDir();
  repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# t\n' });
  model = await startScriptedModel({
    rules: [{
      when: () => true,
      reply: (c) => {
        const id = taskOf(c)!;
        const wait = id === 'gated' ? [call('run', { command: `while [ ! -e '${gate()}' ]; do sleep 0.1; done`, timeoutSec: 600 })] : [];
        const steps = [...wait, call('write_file', { path: `${id}.txt`, content: id }), call('finish', { summary: 'ok' })];
        return steps[Math.min(c.stepInRound, steps.length - 1)]!;
      },
    }],
  });
  plan = path.join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ goal: 'tty', tasks: [
    { id: 'gated', prompt: 'wait, then write gated.txt' }, { id: 'quick', prompt: 'write quick.txt' },
    { id: 'after', prompt: 'write after.txt', dependsOn: ['gated'] },
  ] }));
}, 30_000);
afterAll(async () => {
  if (!existsSync(gate())) writeFileSync(gate(), '');
  try { tmux('kill-server'); } catch { /* already gone */ }
  await model.close();
  removeTemps();
});

describe('caid run progress', () => {
  it('in a terminal: a live view redrawn in place, one line per task, totals and the merge log', async () => {
    // --sandbox none: the scripted agent's `run` waits for a gate file the test writes; bwrap's private /tmp (where the test's files live) would hide it.
    const args = ['run', '--plan', plan, '--repo', repo, '--workers', '2', '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--sandbox', 'none'];
    const command = `env -i PATH='${process.env.PATH}' HOME='${process.env.HOME ?? '/tmp'}' TERM=xterm-256color '${process.execPath}' '${CLI}' ${args.map((a) => `'${a}'`).join(' ')}; echo "caid exited $?"; sleep 600`;
    tmux('new-session', '-d', '-s', 'run', '-x', '140', '-y', '40', command);

    const live = await waitForScreen(/✔ quick\s+merged[\s\S]*merged 1 · running 1 · waiting 1/);
    expect(live).toMatch(/^caid run \S+ · 2 workers · \d+:\d\d/m);
    expect(live).toMatch(/^▶ gated\s+running\s+attempt 1\s+step 1 run\s+\d+:\d\d [\d.k]+ tok$/m);
    expect(live).toMatch(/^· after\s+waiting$/m);
    expect(live).toMatch(/│ tokens [\d.k]+ in \/ [\d.k]+ out │ \$0\.0000$/m);
    expect(live).toMatch(/^merge log: quick$/m);
    expect(live).not.toContain('▶ quick started'); // the plain lines are for pipes, not terminals

    writeFileSync(gate(), '');
    const end = await waitForScreen(/caid exited (\d+)/, history);
    expect(end).toContain('caid exited 0');
    // Frames were redrawn in place: the scrollback holds the header once, with the events above it.
    expect(end.match(/^caid run \S+ · 2 workers/gm)).toHaveLength(1);
    expect(end).toMatch(/✔ gated merged as [0-9a-f]+[\s\S]*✔ after merged as[\s\S]*run succeeded[\s\S]*^✔ after\s+merged/m);
    expect(end).toMatch(/^merge log: quick → gated → after$/m);
  });

  it('outside a terminal: plain lines and no escape codes; --quiet prints only the summary', async () => {
    writeFileSync(gate(), '');
    // --sandbox none: the scripted agent's `run` waits for a gate file the test writes; bwrap's private /tmp (where the test's files live) would hide it.
    const base = ['run', '--plan', plan, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--sandbox', 'none'];
    const plain = await runCli(base);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/^\d\d:\d\d:\d\d ▶ quick started \(attempt 1\)$/m);
    expect(plain.stderr).not.toContain('\u001b[');
    const quiet = await runCli([...base, '--quiet', '--json']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toMatch(/started|merged as/);
    expect(JSON.parse(quiet.stdout).status).toBe('succeeded');
  });
});

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_BIN, cliAvailable } from './agent-cli-harness.js';

// `npm run demo -- --agent <preset>` minus its build step (the suite runs on the built CLI): the
// demo's six tasks, a conflict round and a send-back, every one done by the real CLI. codex speaks
// the Responses API, streamed through the endpoint as it is generated.
const PRESET = 'codex';
const root = path.resolve(__dirname, '../..');
// Bounded: a demo that hangs is killed here and the test fails on its exit code.
const LIMIT_MS = 540_000;

describe.skipIf(!cliAvailable(PRESET))(`npm run demo -- --agent ${PRESET}`, () => {
  it('ends green, every task done by the real CLI, and says so', async () => {
    const env: NodeJS.ProcessEnv = { PATH: `${CLI_BIN}:${process.env.PATH}`, HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };
    const child = spawn(process.execPath, [path.join(root, 'scripts/demo.mjs'), '--agent', PRESET], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', (d) => void d);
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGTERM'), LIMIT_MS);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    // The demo's temporary folder holds the sample repository and its worktrees.
    const repo = /^sample repository: (\S+)/m.exec(stderr)?.[1];
    if (repo) rmSync(path.dirname(repo), { recursive: true, force: true });
    expect(code, stderr.slice(-4000)).toBe(0);
    expect(stderr).toContain(`agent:             the REAL ${PRESET} CLI`);
    expect(stderr).toContain(`every task done by the real ${PRESET} CLI`);
  }, LIMIT_MS + 30_000);
});

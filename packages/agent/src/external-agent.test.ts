import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PRESET_COMMANDS, runExternalAgent } from './external-agent.js';

let dir: string;
let script: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'caid-ext-'));
  script = path.join(dir, 'fake-agent.sh');
  // A stand-in for aider & co: reads the prompt file, edits the worktree, prints what it did.
  writeFileSync(script, `#!/bin/sh
set -e
prompt="$1"
grep -q FAIL "$prompt" && { echo "cannot do this" >&2; exit 4; }
grep -q SLOW "$prompt" && sleep 30
cp "$prompt" seen-prompt.txt
echo "key:\${OPENAI_API_KEY:-none} pass:\${PASSED_VAR:-none}" > env.txt
echo "edited seen-prompt.txt"
`);
  chmodSync(script, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (prompt: string, o: { timeoutMs?: number; env?: Record<string, string> } = {}) => {
  const wt = mkdtempSync(path.join(dir, 'wt-'));
  return runExternalAgent({
    command: `${script} {promptFile}`, cwd: wt, prompt, promptFile: path.join(dir, 'scratch', 'prompt it.md'),
    timeoutMs: o.timeoutMs ?? 20_000, env: o.env,
  }).then((r) => ({ r, wt }));
};

describe('runExternalAgent', () => {
  it('writes the prompt to a file, runs the command in the worktree and reports finished', async () => {
    process.env.OPENAI_API_KEY = 'sk-external-should-not-leak-123';
    try {
      const { r, wt } = await run('# Task a\nDo the thing', { env: { PASSED_VAR: 'yes' } });
      expect(r).toMatchObject({ status: 'finished', summary: 'edited seen-prompt.txt', steps: 1 });
      expect(readFileSync(path.join(wt, 'seen-prompt.txt'), 'utf8')).toBe('# Task a\nDo the thing');
      expect(readFileSync(path.join(wt, 'env.txt'), 'utf8')).toBe('key:none pass:yes\n');
    } finally {
      delete process.env.OPENAI_API_KEY;
    }
  });

  it('reports a non-zero exit as agent-failed and a timeout as time-limit', async () => {
    const failed = await run('please FAIL');
    expect(failed.r).toMatchObject({ status: 'agent-failed' });
    expect(failed.r.message).toMatch(/exited 4: cannot do this/);
    const slow = await run('SLOW', { timeoutMs: 500 });
    expect(slow.r.status).toBe('time-limit');
  });

  it('has a preset for each well-known agent, each reading {promptFile}', () => {
    expect(Object.keys(AGENT_PRESET_COMMANDS)).toEqual(['aider', 'opencode', 'codex', 'claude', 'pi', 'qwen-code', 'goose']);
    for (const p of Object.values(AGENT_PRESET_COMMANDS)) expect(p.command).toContain('{promptFile}');
  });
});

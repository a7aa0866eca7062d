import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { sandboxProblem } from '@caid/agent';
import { call, removeTemps, runCli, taskOf, writesFiles } from './cli-harness.js';
import { runFolder, runIn, setup } from './runtime-harness.js';

// `sandbox: auto` is the default: bwrap when it works here, announced once; otherwise a warning
// that agent commands run with the user's permissions. `bwrap` insists, `none` opts out.
let model: ScriptedModelServer;
const ESCAPE = '/usr/caid-auto-escape';

beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      {
        when: (c) => taskOf(c) === 'probe',
        reply: (c) => [call('run', { command: `touch ${ESCAPE}; echo probe > probe.txt` }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 1)]!,
      },
      { when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c) },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

const started = (repo: string) => JSON.parse(readFileSync(path.join(runFolder(repo), 'events.jsonl'), 'utf8').split('\n')[0]!);

/** A PATH holding git and node but no bwrap: a machine without bubblewrap. */
function pathWithoutBwrap(dir: string): string {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  for (const tool of ['git', 'node']) symlinkSync(spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), path.join(bin, tool));
  return bin;
}

describe.skipIf(sandboxProblem('bwrap') !== null && !process.env.CI)('sandbox: auto with a working bubblewrap', () => {
  it('is the default: announced once, agent commands confined, recorded in run.started and shown by status --settings', async () => {
    const s = setup('goal: g\ntasks:\n  - { id: probe, prompt: p }\n');
    const r = await runIn(s, ['--model', 'm', '--base-url', model.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/sandbox: bwrap \(auto\)/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/run with your permissions/);
    expect(existsSync(ESCAPE)).toBe(false);
    expect(readFileSync(path.join(runFolder(s.repo), 'tasks/probe.jsonl'), 'utf8')).toMatch(/cannot touch '\/usr\/caid-auto-escape': Read-only file system/);
    const e = started(s.repo);
    expect([e.settings.sandbox, e.sandbox]).toEqual(['auto', 'bwrap']);
    const st = await runCli(['status', '--repo', s.repo, '--settings']);
    expect(st.stdout).toMatch(/^ {2}sandbox +auto$/m);
    expect(st.stdout).toMatch(/agent commands ran under: bwrap/);
  });

  it('--sandbox none opts out without a word', async () => {
    const s = setup('goal: g\ntasks:\n  - { id: plain, prompt: p }\n');
    const r = await runIn(s, ['--model', 'm', '--base-url', model.url, '--sandbox', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/sandbox/);
    expect(started(s.repo).sandbox).toBe('none');
  });

  it('an external agent is never put under bubblewrap: auto warns, --sandbox bwrap is refused (exit 2, nothing written)', async () => {
    const agent = path.resolve(__dirname, 'fixtures/fake-agent.mjs');
    const s = setup('goal: ext\ntasks:\n  - { id: ext-one, prompt: create ext-one.txt }\n');
    const refused = await runIn(s, ['--agent-command', `node ${agent} {promptFile}`, '--sandbox', 'bwrap']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/an external agent .* runs outside bubblewrap/);
    expect(existsSync(path.join(s.repo, '.caid'))).toBe(false);
    const r = await runIn(s, ['--agent-command', `node ${agent} {promptFile}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: sandbox: none \(auto\): the external agent runs with your permissions/);
  });
});

describe('sandbox: auto without bubblewrap', () => {
  it('warns once that agent commands run with the user\'s permissions, and the run goes on', async () => {
    const s = setup('goal: g\ntasks:\n  - { id: plain, prompt: p }\n');
    const r = await runIn(s, ['--model', 'm', '--base-url', model.url], { PATH: pathWithoutBwrap(s.dir) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/caid: warning: sandbox: none \(auto: bubblewrap is not installed\); agent commands run with your permissions/g)).toHaveLength(1);
    expect(started(s.repo).sandbox).toBe('none');
  });

  it('--sandbox bwrap is exit 2 with the reason, nothing written', async () => {
    const s = setup('goal: g\ntasks:\n  - { id: plain, prompt: p }\n');
    const r = await runIn(s, ['--model', 'm', '--base-url', model.url, '--sandbox', 'bwrap'], { PATH: pathWithoutBwrap(s.dir) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bubblewrap is not installed/);
    expect(existsSync(path.join(s.repo, '.caid'))).toBe(false);
  });

  it('caid doctor says what auto will do', async () => {
    const s = setup('goal: g\ntasks: []\n');
    const r = await runCli(['doctor', '--repo', s.repo, '--model', 'm', '--base-url', model.url, '--worktree-root', s.wt], { env: { PATH: pathWithoutBwrap(s.dir) } });
    expect(r.stdout + r.stderr).toMatch(/bubblewrap.*not installed.*sandbox: auto runs agent commands unconfined, with your permissions/);
  });
});

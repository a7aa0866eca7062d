import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type Conversation, type ScriptedModelServer, type ScriptedReply } from '@caid/llm/testing';
import { git, removeTemps } from '../cli-harness.js';
import { runFolder, runIn, setup } from '../runtime-harness.js';
import { CLI_BIN, CLI_TOOLS, cliAvailable, processesMatching, worktreeIn } from './agent-cli-harness.js';

// The user's keys: caid's upstream uses the first; neither may reach the CLI (env, argv, files).
const USER_KEY = 'sk-user-e2e-openai-0123456789abcdef';
const USER_ANTHROPIC_KEY = 'sk-ant-user-e2e-0123456789abcdef';

// A command that never ends; not a bare `sleep`, which qwen-code refuses to run in the foreground.
// Its number differs per preset, so one file's process check never sees another file's hung tool.
const HANG_SECONDS = { opencode: 1011, codex: 1012, claude: 1013, pi: 1014, 'qwen-code': 1015 } as const;

type Preset = keyof typeof CLI_TOOLS;
const taskIn = (c: Conversation) => /^# Task ([a-z0-9-]+)/m.exec(c.messages.map((m) => m.content ?? '').join('\n'))?.[1];
const toolResults = (c: Conversation) => c.messages.filter((m) => m.role === 'tool').length;
const say = (content: string): ScriptedReply => ({ content });

/**
 * One real agent CLI as every task's agent of a real `caid run`, its model traffic through caid's
 * metering endpoint to a scripted model that drives the CLI's own tools.
 */
/** `hangTimeoutMin`: the round timeout of the hang test, long enough for the CLI to start and ask its model under CI load. */
export function describeAgentCli(preset: Preset, o: { hangTimeoutMin: number }) {
  const tools = CLI_TOOLS[preset];
  const hang = `time.sleep(${HANG_SECONDS[preset]})`;
  const available = cliAvailable(preset);
  describe.skipIf(!available)(`${preset}: the real CLI as the agent`, () => {
    let model: ScriptedModelServer;
    beforeAll(async () => {
      model = await startScriptedModel({
        rules: [
          // Requests without tools (titles, summaries some CLIs ask for) get plain text.
          { name: 'no-tools', when: (c) => c.tools.length === 0, reply: say('caid task') },
          {
            name: 'send-back',
            when: (c) => taskIn(c) === 'edit' && c.includes('`test -f fixed.txt` failed'),
            reply: (c) => (toolResults(c) === 0 ? { toolCalls: [tools.write('fixed.txt', 'fixed after the send-back\n', worktreeIn(c, 'edit'))] } : say('Fixed.')),
          },
          {
            name: 'edit',
            when: (c) => taskIn(c) === 'edit',
            reply: (c) => [
              { toolCalls: [tools.shell('env | sort')] },
              { toolCalls: [tools.write('edit.txt', `written by ${preset}\n`, worktreeIn(c, 'edit'))] },
            ][toolResults(c)] ?? say('Done.'),
          },
          // Asked again after every result: codex returns from a command still running after ~10 s.
          { name: 'hang', when: (c) => taskIn(c) === 'hang', reply: { toolCalls: [tools.shell(`python3 -c "import time; ${hang}"`)] } },
        ],
        fallback: say('Done.'),
      });
    });
    afterAll(async () => {
      await model?.close();
      removeTemps();
    });

    const env = { PATH: `${CLI_BIN}:${process.env.PATH}`, OPENAI_API_KEY: USER_KEY, ANTHROPIC_API_KEY: USER_ANTHROPIC_KEY };

    it('edits with its own tools, is committed, merged and verified; a send-back reruns it; its tokens count; no user key reaches it', async () => {
      const s = setup('goal: real cli\nverify: test -f fixed.txt\ntasks:\n  - { id: edit, prompt: create edit.txt }\n');
      const r = await runIn(s, ['--agent', preset, '--model', 'scripted', '--base-url', model.url], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.summary.tasks).toEqual([{ id: 'edit', status: 'merged', attempts: 2, conflicts: 0 }]);
      expect(git(s.repo, 'show', `${r.summary.branch}:edit.txt`)).toBe(`written by ${preset}`);
      expect(git(s.repo, 'show', `${r.summary.branch}:fixed.txt`)).toBe('fixed after the send-back');
      // Every request went through caid's endpoint and was counted in the run's usage.
      const served = model.requests.filter((q) => q.rule === 'edit' || q.rule === 'send-back');
      expect(served.length).toBeGreaterThanOrEqual(5);
      expect(r.summary.usage.inputTokens).toBeGreaterThan(0);
      expect(r.summary.usage.outputTokens).toBeGreaterThan(0);
      // The CLI listed its whole environment to the model: caid's variables are there, the user's keys are not.
      const listed = model.requests.map((q) => q.conversation).find((c) => toolResults(c) > 0 && c.includes('CAID_TASK_ID=edit'));
      expect(listed, 'the env listing reached the model').toBeDefined();
      for (const q of model.requests) {
        for (const key of [USER_KEY, USER_ANTHROPIC_KEY]) expect(q.conversation.includes(key)).toBe(false);
      }
      // Its config went into the task's scratch home, which holds no key of the user's.
      const scratch = path.join(s.wt, r.summary.runId, '.scratch', 'edit');
      for (const f of filesUnder(path.join(scratch, 'home'))) {
        const text = readFileSync(f, 'latin1');
        expect(text.includes(USER_KEY) || text.includes(USER_ANTHROPIC_KEY), f).toBe(false);
      }
      const transcript = readFileSync(path.join(runFolder(s.repo), 'tasks/edit.jsonl'), 'utf8');
      expect(transcript).toContain('external agent output');
    }, 600_000);

    it('a tool that hangs is killed with the CLI at the round timeout', async () => {
      const s = setup('goal: hang\ntasks:\n  - { id: hang, prompt: wait }\n');
      const r = await runIn(s, ['--agent', preset, '--model', 'scripted', '--base-url', model.url, '--task-timeout', String(o.hangTimeoutMin)], env);
      expect(r.code, r.stderr).toBe(1);
      expect(r.summary.tasks).toEqual([expect.objectContaining({ id: 'hang', status: 'failed' })]);
      expect(model.requests.some((q) => q.rule === 'hang')).toBe(true);
      const transcript = readFileSync(path.join(runFolder(s.repo), 'tasks/hang.jsonl'), 'utf8');
      expect(transcript).toMatch(/the agent command ran longer than \d+ s/);
      expect(processesMatching(hang)).toEqual([]);
    }, 600_000);
  });
}

function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = path.join(dir, n);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return [];
    return st.isDirectory() ? filesUnder(p) : st.isFile() && st.size < 4_000_000 ? [p] : [];
  });
}

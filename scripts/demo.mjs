#!/usr/bin/env node
// `npm run demo`: a full caid run on one machine against a scripted model served over real HTTP.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScriptedModel } from '@caid/llm/testing';
import { createSampleLibrary } from './demo/sample-library.mjs';
import { demoRules } from './demo/demo-model.mjs';
import { CLI_TOOLS, cliDemoRules } from './demo/cli-demo-model.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Not `npx caid`: that resolves only inside this checkout, and without --repo it would run on the folder you are in.
const caid = `node ${path.join(root, 'apps', 'cli', 'bin', 'caid.js')}`;
const cli = path.join(root, 'apps/cli/dist/main.js');
// `--agent <preset>`: a real agent CLI (installed by tools/agent-clis/install.sh) is every task's agent.
const agentAt = process.argv.indexOf('--agent');
const agent = agentAt > 0 ? process.argv[agentAt + 1] : undefined;
const cliBin = path.join(root, 'tools/agent-clis/node_modules/.bin');
if (agent && !CLI_TOOLS[agent]) {
  process.stderr.write(`demo: --agent must be one of ${Object.keys(CLI_TOOLS).join(', ')}\n`);
  process.exit(2);
}
if (agent && !existsSync(cliBin)) {
  process.stderr.write(`demo: the agent CLIs are not installed: run \`bash tools/agent-clis/install.sh\` first\n`);
  process.exit(2);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-demo-'));
const { repo, planFile } = createSampleLibrary(dir);
const model = await startScriptedModel({ rules: agent ? cliDemoRules(agent) : demoRules(), fallback: agent ? { content: 'Done.' } : undefined });

const say = (s = '') => process.stderr.write(`${s}\n`);
say('caid demo');
say('=========');
say('The model in this demo is SCRIPTED: a local HTTP server speaking the OpenAI chat-completions');
say('protocol plays prepared agent replies, so the demo needs no API key and no GPU. Everything else');
say('is real: git worktrees, the agent tools, merges, conflict rounds and the test gate.');
say();
say(`sample repository: ${repo}  (a small library with a node:test suite)`);
say(`plan:              ${planFile}  (6 tasks; words -> slugify, title-case -> headline is a diamond)`);
say(`scripted model:    ${model.url}`);
if (agent) {
  say(`agent:             the REAL ${agent} CLI (${cliBin}) runs every task, with its own tools; it talks to`);
  say('                   caid\'s metering endpoint in its own protocol, which forwards to the scripted model.');
}
say();

const args = ['run', '--plan', planFile, '--repo', repo, '--workers', '3', '--model', 'scripted-demo', '--base-url', model.url,
  '--worktree-root', path.join(dir, 'worktrees'), ...(agent ? ['--agent', agent] : [])];
say(`$ caid ${args.join(' ')}`);
say();
const child = spawn(process.execPath, [cli, ...args], { stdio: 'inherit', env: { ...process.env, OPENAI_API_KEY: '', ...(agent ? { PATH: `${cliBin}:${process.env.PATH}` } : {}) } });
const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 130 : 1))));
await model.close();

say();
say(code === 0 ? `The run ended green: every task merged and \`node --test\` passes on the integration branch${agent ? `, every task done by the real ${agent} CLI` : ''}.` : `The run ended with exit code ${code}.`);
say(`Look at the result:   git -C ${repo} log --oneline --graph --all`);
say(`                      ${caid} status --repo ${repo}     (the folded run log)`);
// The run's real id (the demo's repository holds this one run), so the path can be pasted as is.
const runsDir = path.join(repo, '.caid/runs');
const runId = (existsSync(runsDir) ? readdirSync(runsDir).sort().at(-1) : undefined) ?? '<runId>';
say(`Agent transcripts:    ${path.join(repo, '.caid/runs', runId, 'tasks')}/*.jsonl`);
say();
say(`Point caid at a real model (any OpenAI-compatible server); \`caid\` below is ${caid}, or the \`caid\` of \`npm install -g\` (see the README):`);
say('  Ollama:  caid run --plan plan.yaml --repo ~/src/yours --base-url http://127.0.0.1:11434/v1 --model qwen2.5-coder:14b');
say('  vLLM:    caid run --plan plan.yaml --repo ~/src/yours --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-Coder-32B-Instruct');
say('  OpenAI:  OPENAI_API_KEY=... caid run --plan plan.yaml --repo ~/src/yours --model gpt-4.1');
say();
say('See the run in the dashboard (task graph, timeline, transcripts), then open http://127.0.0.1:4400 :');
say(`  ${caid} serve --repo ${repo}`);
process.exit(code);

#!/usr/bin/env node
// README "Scale out", on one machine: the demo plan run by a coordinator and two `caid worker`
// processes over Redis (REDIS_URL, default redis://127.0.0.1:6379), against the scripted model.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScriptedModel } from '@caid/llm/testing';
import { createSampleLibrary } from './demo/sample-library.mjs';
import { demoRules } from './demo/demo-model.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'apps/cli/bin/caid.js');
const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-scale-out-'));
const { repo, planFile } = createSampleLibrary(dir);
const model = await startScriptedModel({ rules: demoRules() });
// A prefix of its own, so this demo never meets another run's jobs on a shared Redis.
const queue = `${redis}${redis.includes('?') ? '&' : '?'}prefix=demo-${process.pid}`;

const start = (tag, args, env) => {
  process.stderr.write(`$ caid ${args.join(' ')}\n`);
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, ...env } });
  child.stderr.on('data', (d) => process.stderr.write(String(d).split('\n').filter(Boolean).map((l) => `[${tag}] ${l}\n`).join('')));
  return child;
};
// The workers hold the model settings; the coordinator gets none.
const workerEnv = { OPENAI_BASE_URL: model.url, CAID_MODEL: 'scripted-demo', OPENAI_API_KEY: '' };
const workers = [1, 2].map((n) => start(`worker-${n}`, ['worker', '--queue', queue, '--workdir', path.join(dir, `worker-${n}`)], workerEnv));
const coordinator = start('coordinator', ['run', '--plan', planFile, '--repo', repo, '--queue', queue, '--worktree-root', path.join(dir, 'worktrees')],
  { OPENAI_BASE_URL: '', CAID_MODEL: '', OPENAI_API_KEY: '' });
const code = await new Promise((resolve) => coordinator.on('exit', (c, sig) => resolve(c ?? (sig ? 130 : 1))));
for (const w of workers) w.kill('SIGINT');
await Promise.all(workers.map((w) => new Promise((r) => w.on('exit', r))));
await model.close();
process.stderr.write(`\n${code === 0 ? 'Every task merged, by two worker processes.' : `The run ended with exit code ${code}.`}\n`);
process.stderr.write(`Look at the result: git -C ${repo} log --oneline --graph --all\n`);
process.exit(code);

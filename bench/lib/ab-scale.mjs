// A/B: the same layered scale plan through an older checkout's CLI and this one's, alternating, 3 runs.
// Usage: node bench/lib/ab-scale.mjs OLD_CHECKOUT [tasks=100] (both checkouts built).
import path from 'node:path';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const NEW = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const OLD = process.argv[2];
if (!OLD) throw new Error('usage: node bench/lib/ab-scale.mjs OLD_CHECKOUT [tasks]');
const { startScriptedModel } = await import(`${NEW}/packages/llm/dist/testing/index.js`);
const { makeRepo, scratch } = await import(`${NEW}/bench/lib/caid-cli.mjs`);
const { layeredGraph } = await import(`${NEW}/bench/lib/layered-graph.mjs`);
const { LIBRARY_FILES, slowAgentRule } = await import(`${NEW}/bench/lib/slow-agent.mjs`);
const model = await startScriptedModel({ rules: [slowAgentRule({ delayMs: 0, calls: 2, test: false })] });
const s = scratch('caid-ab-');
const n = Number(process.argv[3] ?? 100);
const extra = [];
const run = (cli, tag, rep, args) => new Promise((resolve) => {
  const repo = makeRepo(path.join(s.dir, `repo-${tag}-${rep}`), LIBRARY_FILES);
  const plan = { goal: 'scale', tasks: layeredGraph({ tasks: n, depth: Math.round(n / 10), fanIn: 3, seed: rep + 1 }).map((t) => ({ id: t.id, prompt: `do ${t.id}`, dependsOn: t.dependsOn })) };
  const pf = path.join(s.dir, `plan-${tag}-${rep}.json`);
  writeFileSync(pf, JSON.stringify(plan));
  const t0 = performance.now();
  const c = spawn(process.execPath, [`${cli}/apps/cli/bin/caid.js`, 'run', '--plan', pf, '--repo', repo, '--workers', '4', '--model', 's', '--base-url', model.url, '--worktree-root', path.join(s.dir, `wt-${tag}-${rep}`), '--json', '--quiet', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENAI_API_KEY: 'x' } });
  let err = ''; c.stderr.on('data', (d) => { err += d; });
  c.on('close', (code) => resolve({ code, ms: performance.now() - t0, err: err.slice(-500) }));
});
for (let rep = 0; rep < 3; rep++) {
  const a = await run(OLD, 'old', rep, []);
  const b = await run(NEW, 'new', rep, extra);
  console.log(`rep ${rep}: old ${(a.ms / n).toFixed(0)} ms/task (exit ${a.code}), new ${(b.ms / n).toFixed(0)} ms/task (exit ${b.code}) ${b.code ? b.err : ''}`);
}
await model.close();
s.dispose();

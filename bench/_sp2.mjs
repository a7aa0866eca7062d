import path from 'node:path';
import { startScriptedModel } from '@caid/llm/testing';
import { caidRun, makeRepo, runEvents, scratch } from './lib/caid-cli.mjs';
import { LIBRARY_FILES, slowAgentRule } from './lib/slow-agent.mjs';
import { libraryPlan } from './parallel-speedup.mjs';
import { readFileSync } from 'node:fs';
const n = Number(process.argv[2] ?? 4);
const s = scratch('caid-sp-');
const model = await startScriptedModel({ rules: [slowAgentRule({ delayMs: 300, calls: 4 })] });
const repo = makeRepo(path.join(s.dir, 'repo'), LIBRARY_FILES);
const r = await caidRun({ plan: libraryPlan(), repo, workers: n, modelUrl: model.url, worktreeRoot: path.join(s.dir, 'wt') });
const rows = runEvents(repo, r.summary.runId).map((e) => [Date.parse(e.at), `EV ${e.type} ${e.taskId ?? ''} ${e.tool ?? ''}`]);
for (const l of readFileSync('/tmp/trace', 'utf8').trim().split('\n')) { const [t, d, dir, ...a] = l.split(' '); rows.push([Number(t), `   git ${d}ms ${dir} ${a.join(' ')}`]); }
const tr = path.join(repo, '.caid', 'runs', r.summary.runId, 'tasks', 'dates.jsonl');
for (const l of readFileSync(tr, 'utf8').trim().split('\n')) { const j = JSON.parse(l); rows.push([Date.parse(j.at), `      T dates ${j.t} ${j.message?.role ?? ''} ${(j.text ?? '').slice(0, 40)}`]); }
rows.sort((a, b) => a[0] - b[0]);
const t0 = rows[0][0];
for (const [t, x] of rows) console.log(String(t - t0).padStart(6), x);
await model.close(); s.dispose();

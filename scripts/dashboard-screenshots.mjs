#!/usr/bin/env node
// Regenerates the dashboard screenshots in docs/ from a real demo run (`npm run build` first):
//   node scripts/dashboard-screenshots.mjs
// The demo's scripted model is slowed down so a mid-run page shows tasks running and waiting.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startScriptedModel } from '@caid/llm/testing';
import { createSampleLibrary } from './demo/sample-library.mjs';
import { demoRules } from './demo/demo-model.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'apps/cli/dist/main.js');
const docs = path.join(root, 'docs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-shots-'));
const { repo, planFile } = createSampleLibrary(dir);
const slow = demoRules().map((r) => ({ ...r, reply: (c) => ({ ...(typeof r.reply === 'function' ? r.reply(c) : r.reply), delayMs: 900 }) }));
const model = await startScriptedModel({ rules: slow });

function caid(args) {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, OPENAI_API_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const match = (re) => new Promise((resolve, reject) => {
    const check = () => { const m = out.match(re); if (m) resolve(m[1]); };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('close', () => reject(new Error(`caid ended without ${re}:\n${out}`)));
    check();
  });
  return { child, match, exited: new Promise((r) => child.on('close', r)) };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 860 }, deviceScaleFactor: 1 });

const run = caid(['run', '--plan', planFile, '--repo', repo, '--workers', '3', '--model', 'scripted-demo', '--base-url', model.url,
  '--worktree-root', path.join(dir, 'worktrees'), '--ui', '--ui-port', '0']);
const liveUrl = await run.match(/dashboard: (http:\/\/\S+)/);
await page.goto(liveUrl);
await page.waitForFunction(() => /^[34] merged/.test(document.querySelector('[data-count="merged"]')?.textContent ?? ''));
await page.screenshot({ path: path.join(docs, 'dashboard-live.png') });
console.log('docs/dashboard-live.png');
await run.exited;
await model.close();

const serve = caid(['serve', '--repo', repo, '--port', '0']);
const base = await serve.match(/caid dashboard: (http:\/\/\S+?)\/? /);
const runId = path.basename(liveUrl);
await page.goto(`${base}/runs/${runId}`);
await page.waitForSelector('body[data-run-status="succeeded"]');
await page.screenshot({ path: path.join(docs, 'dashboard-run.png') });
console.log('docs/dashboard-run.png');
await page.click('svg.graph g.node[data-task="truncate"]');
await page.locator('#details .transcript').waitFor();
const box = await page.locator('#details').boundingBox();
await page.screenshot({ path: path.join(docs, 'dashboard-task.png'), fullPage: true, clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, 1250) } });
console.log('docs/dashboard-task.png');
await page.goto(`${base}/`);
await page.waitForSelector('tr[data-run]');
await page.setViewportSize({ width: 1200, height: 260 });
await page.screenshot({ path: path.join(docs, 'dashboard-runs.png') });
console.log('docs/dashboard-runs.png');
await browser.close();
serve.child.kill('SIGTERM');
await serve.exited;

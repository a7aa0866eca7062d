import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startScriptedModel, when, type ScriptedModelServer } from '@caid/llm/testing';
// @ts-expect-error plain .mjs module shared with `npm run demo`
import { createSampleLibrary, PLAN } from '../scripts/demo/sample-library.mjs';
// @ts-expect-error plain .mjs module shared with `npm run demo`
import { demoRules } from '../scripts/demo/demo-model.mjs';
import { call, removeTemps, runCli, tempDir } from './cli-harness.js';
import { spawnCli, type LiveCli } from './spawn-cli.js';
import { launchChromium } from './browser.js';
import { writeFileSync } from 'node:fs';

const INJECTED = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
const ids: string[] = PLAN.tasks.map((t: { id: string }) => t.id);
let demoModel: ScriptedModelServer;
let injectModel: ScriptedModelServer;
let serve: LiveCli;
let url: string;
let browser: Browser;
let page: Page;
let demoRun: string;
let injectRun: string;

beforeAll(async () => {
  const dir = tempDir();
  const { repo, planFile } = createSampleLibrary(dir);
  demoModel = await startScriptedModel({ rules: demoRules() });
  const demo = await runCli(['run', '--plan', planFile, '--repo', repo, '--model', 'm', '--base-url', demoModel.url, '--worktree-root', path.join(dir, 'wt'), '--json']);
  expect(demo.code, demo.stderr).toBe(0);
  demoRun = JSON.parse(demo.stdout).runId;

  // A second run whose agent prints markup: the page must show it as text.
  injectModel = await startScriptedModel({
    rules: [{
      when: when.always(),
      reply: (c) => [
        call('run', { command: `echo '${INJECTED}'` }),
        call('write_file', { path: 'notes.md', content: INJECTED }),
        call('finish', { summary: INJECTED }),
      ][Math.min(c.stepInRound, 2)]!,
    }],
  });
  const planFile2 = path.join(dir, 'inject.json');
  writeFileSync(planFile2, JSON.stringify({ goal: 'inject', tasks: [{ id: 'inject', prompt: 'Write notes.md' }] }));
  const inject = await runCli(['run', '--plan', planFile2, '--repo', repo, '--model', 'm', '--base-url', injectModel.url, '--worktree-root', path.join(dir, 'wt'),
    '--verify', `echo '${INJECTED}'`, '--json']);
  expect(inject.code, inject.stderr).toBe(0);
  injectRun = JSON.parse(inject.stdout).runId;

  serve = spawnCli(['serve', '--repo', repo, '--port', '0']);
  url = (await serve.waitFor(/caid dashboard: (http:\/\/127\.0\.0\.1:\d+)\//))[1]!;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await demoModel?.close();
  await injectModel?.close();
  removeTemps();
});

describe('the dashboard of a finished run (real caid serve, real Chromium)', () => {
  it('lists the runs at /', async () => {
    await page.goto(`${url}/`);
    await page.locator(`tr[data-run="${demoRun}"]`).waitFor();
    expect(await page.locator('tr[data-run]').count()).toBe(2);
    await page.click(`a[href="/runs/${demoRun}"]`);
    await page.waitForURL(`${url}/runs/${demoRun}`);
  });

  it('draws the task graph as SVG: a node per task id, an edge per dependency, each coloured by status', async () => {
    await page.goto(`${url}/runs/${demoRun}`);
    await page.waitForSelector('body[data-run-status="succeeded"]');
    const nodes = page.locator('svg.graph g.node');
    expect(await nodes.count()).toBe(ids.length);
    for (const id of ids) {
      const node = page.locator(`svg.graph g.node[data-task="${id}"]`);
      expect(await node.locator('text.node-id').textContent()).toBe(id);
      expect(await node.getAttribute('data-status')).toBe('merged');
      expect(await node.locator('rect').evaluate((r) => getComputedStyle(r).fill)).toBe('rgb(22, 163, 74)');
    }
    const deps = PLAN.tasks.reduce((n: number, t: { dependsOn?: string[] }) => n + (t.dependsOn?.length ?? 0), 0);
    expect(await page.locator('svg.graph path.edge').count()).toBe(deps);
    expect(await page.locator('#run-status').textContent()).toBe('succeeded');
    expect(await page.locator('[data-count="merged"]').textContent()).toBe(`${ids.length} merged`);
    // the gate's pass-count progression (issue 8): the demo's suite climbs to all 7 tests
    expect(await page.locator('#gate').textContent()).toMatch(/^gate all \(verify passes on the base/);
    expect(await page.locator('#tests-progress').textContent()).toMatch(/tests passing 1 → .* → 7 \/ 7$/);
    expect(await page.locator('svg.timeline .tl-row').count()).toBe(ids.length);
    expect(await page.locator('.merge-log li').count()).toBe(ids.length);
  });

  it('has a favicon (no 404 in the console) and the graph and the table use the same status words', async () => {
    const missing: string[] = [];
    const onResponse = (r: { status(): number; url(): string }) => { if (r.status() >= 400) missing.push(r.url()); };
    page.on('response', onResponse);
    await page.goto(`${url}/runs/${demoRun}`);
    await page.waitForSelector('body[data-run-status="succeeded"]');
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/svg\+xml/);
    page.off('response', onResponse);
    expect(missing).toEqual([]);
    for (const id of ids) {
      const word = await page.locator(`svg.graph g.node[data-task="${id}"] text.node-status`).textContent();
      expect(await page.locator(`tr[data-task="${id}"] .badge`).textContent()).toBe(word);
    }
  });

  it('shows per-task details: prompt, rounds, conflicts, failed verify output, transcript, tokens', async () => {
    await page.click('svg.graph g.node[data-task="truncate"]');
    const details = page.locator('#details[data-task="truncate"]');
    await details.locator('.transcript').waitFor();
    const prompt = PLAN.tasks.find((t: { id: string }) => t.id === 'truncate').prompt as string;
    expect(await details.locator('pre.prompt').textContent()).toBe(prompt);
    expect(await details.locator('table.rounds tr').count()).toBe(3); // header + start + send-back
    expect(await details.locator('pre.verify-output').textContent()).toMatch(/fail|not ok|AssertionError/i);
    expect(await details.locator('pre.verify-log').textContent()).toMatch(/pass/);
    expect(await details.locator('.transcript').textContent()).toContain(prompt.slice(0, 40));
    expect(await details.textContent()).toMatch(/tokens\d[\d.k]* in \/ \d[\d.k]* out/);

    const conflicted = await page.locator('table.tasks tr[data-task]').evaluateAll((rows) =>
      rows.filter((r) => r.children[4]?.textContent === '1').map((r) => r.getAttribute('data-task')));
    expect(conflicted).toHaveLength(1);
    await page.click(`table.tasks tr[data-task="${conflicted[0]}"]`);
    await page.locator(`#details[data-task="${conflicted[0]}"] ul.conflicts li`).waitFor();
    expect(await page.locator('ul.conflicts li').textContent()).toContain('src/index.js');
  });

  it('shows agent output containing <script> as text and runs none of it', async () => {
    await page.goto(`${url}/runs/${injectRun}#task=inject`);
    const details = page.locator('#details[data-task="inject"]');
    await details.locator('.transcript .msg-tool').first().waitFor();
    const transcript = (await details.locator('.transcript').textContent())!;
    expect(transcript).toContain(INJECTED);
    expect(await details.locator('pre.verify-log').textContent()).toContain(INJECTED);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('#details img, #details script').count()).toBe(0);
  });
});

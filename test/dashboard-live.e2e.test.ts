import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { call, makeRepo, removeTemps, taskOf, tempDir } from './cli-harness.js';
import { spawnCli, type LiveCli } from './spawn-cli.js';
import { launchChromium } from './browser.js';

let dir: string;
let model: ScriptedModelServer;
let run: LiveCli;
let browser: Browser;
const gate = (id: string) => path.join(dir, `gate-${id}`);

beforeAll(async () => {
  dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# live\n' });
  // Each agent first waits for its gate file, so the test decides when a task may finish.
  model = await startScriptedModel({
    rules: [{
      when: () => true,
      reply: (c) => {
        const id = taskOf(c)!;
        return [
          call('run', { command: `while [ ! -e '${gate(id)}' ]; do sleep 0.1; done; echo released ${id}`, timeoutSec: 600 }),
          call('write_file', { path: `${id}.txt`, content: `${id}\n` }),
          call('finish', { summary: `${id} done` }),
        ][Math.min(c.stepInRound, 2)]!;
      },
    }],
  });
  const plan = path.join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ goal: 'live', tasks: [{ id: 'first', prompt: 'write first.txt' }, { id: 'second', prompt: 'write second.txt', dependsOn: ['first'] }] }));
  // --sandbox none: the scripted agent's `run` waits for gate files the test writes; bwrap's private /tmp (where the test's files live) would hide it.
  run = spawnCli(['run', '--plan', plan, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--ui', '--ui-port', '0', '--sandbox', 'none']);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  for (const id of ['first', 'second']) if (!existsSync(gate(id))) writeFileSync(gate(id), '');
  await run?.stop();
  await browser?.close();
  await model?.close();
  removeTemps();
});

describe('caid run --ui: the page follows a live run over server-sent events', () => {
  it('updates as tasks merge, without reloading, until the run succeeds', async () => {
    const url = (await run.waitFor(/dashboard: (http:\/\/127\.0\.0\.1:\d+\/runs\/\S+)/))[1]!;
    const page = await browser.newPage();
    await page.goto(url);
    const node = (id: string, status: string) => page.waitForSelector(`svg.graph g.node[data-task="${id}"][data-status="${status}"]`);
    await node('first', 'running');
    await node('second', 'waiting');
    await page.evaluate(() => { (window as unknown as { sameDocument: boolean }).sameDocument = true; });

    writeFileSync(gate('first'), '');
    await node('first', 'merged');
    await node('second', 'running');
    expect(await page.locator('[data-count="merged"]').textContent()).toBe('1 merged');
    expect(await page.locator('.merge-log li').count()).toBe(1);

    writeFileSync(gate('second'), '');
    await page.waitForSelector('body[data-run-status="succeeded"]');
    await node('second', 'merged');
    expect(await page.locator('.merge-log li').count()).toBe(2);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toContain('Dashboard of this run: caid serve --repo');
  });
});

import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { call, makeRepo, removeTemps, runCli, tempDir } from './cli-harness.js';
import { spawnCli, type LiveCli } from './spawn-cli.js';

const KEY = 'sk-test-dashboard-Zq81xVb3';
let model: ScriptedModelServer;
let serve: LiveCli;
let base: URL;
let repo: string;
let runId: string;

/** A raw request: the path goes out exactly as written (fetch would normalise `..`). */
function get(p: string, o: { method?: string; host?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: base.hostname, port: base.port, path: p, method: o.method ?? 'GET', headers: o.host ? { host: o.host } : {} }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const dir = tempDir();
  repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
  // A model that repeats the key it was called with: the dashboard must still never serve it.
  model = await startScriptedModel({
    rules: [{ when: () => true, reply: (c) => [call('write_file', { path: 'leak.txt', content: `key ${KEY}` }), call('finish', { summary: `used ${KEY}` })][Math.min(c.stepInRound, 1)]! }],
  });
  const plan = path.join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ goal: 'leak', verify: 'cat leak.txt', tasks: [{ id: 'leaky', prompt: 'write leak.txt' }] }));
  const r = await runCli(['run', '--plan', plan, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--json'], { env: { OPENAI_API_KEY: KEY } });
  expect(r.code, r.stderr).toBe(0);
  runId = JSON.parse(r.stdout).runId;
  serve = spawnCli(['serve', '--repo', repo, '--port', '0'], { OPENAI_API_KEY: KEY });
  base = new URL((await serve.waitFor(/caid dashboard: (http:\/\/\S+\/)/))[1]!);
}, 120_000);
afterAll(async () => {
  await serve?.stop();
  await model?.close();
  removeTemps();
});

describe('caid serve: read-only, loopback, no traversal, no secrets', () => {
  it('binds to loopback by default and serves the page with a strict content security policy', async () => {
    expect(base.hostname).toBe('127.0.0.1');
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(`/runs/${runId}`)).status).toBe(200);
    expect((await get('/assets/app.js')).status).toBe(200);
  });

  it('refuses path traversal in every form', async () => {
    const attempts = [
      '/../../../../etc/passwd', '/assets/../../package.json', '/assets/..%2F..%2Fpackage.json', '/assets/%2e%2e/%2e%2e/package.json',
      `/runs/${runId}/../../../etc/passwd`, '/runs/..%2F..%2Fetc', `/api/runs/..%2F..%2F.git/events`, '/api/runs/%2E%2E/events',
      `/api/runs/${runId}/tasks/..%2F..%2Fplan/transcript`, `/api/runs/${runId}/tasks/%2e%2e/transcript`, `/api/runs/${runId}/tasks/leaky/..%2F..%2F..%2Fplan`,
      `/api/runs/${runId}/tasks/nosuch/transcript`, `/api/runs/${runId}/events.jsonl`, '/.git/config', '//etc/passwd', '/api/runs/%00/events', '/api/runs/%E0%A4%A/events',
    ];
    for (const p of attempts) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toMatch(/root:|\[core\]|"name"|"goal"/);
    }
  });

  it('is read-only and answers only requests addressed to a loopback name', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) expect((await get('/api/runs', { method })).status).toBe(405);
    expect((await get('/api/runs', { host: 'attacker.example:4400' })).status).toBe(421);
    expect((await get('/api/runs', { host: `localhost:${base.port}` })).status).toBe(200);
  });

  it('never serves the API key, even where the model wrote it into the transcript and the tree', async () => {
    const events = await get(`/api/runs/${runId}/events`);
    expect(events.body).toContain('event: end');
    const bodies = [
      (await get('/')).body, (await get('/api/runs')).body, events.body,
      (await get(`/api/runs/${runId}/tasks/leaky/transcript`)).body, (await get(`/api/runs/${runId}/tasks/leaky/verify`)).body,
    ];
    for (const b of bodies) expect(b).not.toContain(KEY);
    expect(bodies[3]).toContain('[redacted]');
    expect(bodies[4]).toContain('key [redacted]');
  });

  it('bad input exits 2 with a clear message', async () => {
    const notRepo = await runCli(['serve', '--repo', tempDir(), '--port', '0']);
    expect(notRepo.code).toBe(2);
    expect(notRepo.stderr).toMatch(/not a git repository/);
    const badPort = await runCli(['serve', '--repo', repo, '--port', 'http']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port takes a port number/);
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    const port = String((taken.address() as { port: number }).port);
    const busy = await runCli(['serve', '--repo', repo, '--port', port]);
    taken.close();
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(new RegExp(`port ${port} on 127.0.0.1 is in use`));
  });
});

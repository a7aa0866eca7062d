import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { AGENT_PRESETS, secretRedactor, type ModelRole, type RunSettings, type RunSettingsInput } from '@caid/core';
import { gitSetup, isGitRepo, Repo } from '@caid/git';
import { probeServer, probeToolCalls, v1Instead } from '@caid/llm';
import { AGENT_PRESET_COMMANDS, sandboxProblem } from '@caid/agent';
import { checkWorktreeRoot, defaultWorktreeRoot, loadConfig } from '@caid/orchestrator';
import { logger } from '@caid/log';
import { resolveSettings } from './resolve-settings.js';
import { modelEndpoint, modelFromSettings, modelRef } from './model-settings.js';

const log = logger('cli');

/** One line of `caid doctor`. A failed `required` check makes the exit code 1. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  required: boolean;
  detail: string;
  /** What to do when it failed. */
  fix?: string;
}

export interface DoctorFlags { given: RunSettingsInput; repo: string; config?: string; json?: boolean }

/**
 * `caid doctor`: is this machine ready to run caid here? Git and its identity, the worktree root,
 * bubblewrap, Redis when a queue is configured, every model role's endpoint (reachable, answer to
 * a tool-call probe, context window), and the external agent CLIs. Exit 1 when a required check
 * fails, 0 otherwise; 2 on bad input (unreadable config).
 */
export async function doctorCommand(f: DoctorFlags): Promise<number> {
  // Every line through the one secret rule: a failed probe's message quotes the URL it fetched,
  // and `http://user:password@host/v1` printed its password.
  const redact = secretRedactor(process.env);
  const checks = (await doctorChecks(f)).map((c) => ({ ...c, detail: redact(c.detail), ...(c.fix ? { fix: redact(c.fix) } : {}) }));
  const failed = checks.filter((c) => !c.ok && c.required);
  if (f.json) {
    process.stdout.write(`${JSON.stringify({ ok: failed.length === 0, checks })}\n`);
  } else {
    const width = Math.max(...checks.map((c) => c.name.length));
    for (const c of checks) {
      const mark = c.ok ? '✔' : c.required ? '✖' : '!';
      process.stdout.write(`${mark} ${c.name.padEnd(width)}  ${c.detail}${!c.ok && c.fix ? ` → ${c.fix}` : ''}\n`);
    }
    process.stdout.write(failed.length ? `\n${failed.length} required check${failed.length > 1 ? 's' : ''} failed.\n` : '\ncaid is ready to run here.\n');
  }
  return failed.length ? 1 : 0;
}

async function doctorChecks(f: DoctorFlags): Promise<DoctorCheck[]> {
  const dir = path.resolve(f.repo);
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => { checks.push(c); };

  const g = gitSetup(dir);
  add(g.version
    ? { name: 'git', ok: true, required: true, detail: `git ${g.version}` }
    : { name: 'git', ok: false, required: true, detail: 'git cannot be run', fix: 'install git (2.38 or newer) and put it on PATH' });
  const inRepo = g.version ? await isGitRepo(dir) : false;
  const repo = inRepo ? await Repo.open(dir) : undefined;
  // `caid run` branches from a commit: a fresh `git init` would pass here and then fail there.
  const committed = repo ? await repo.hasCommits() : false;
  add(!repo
    ? { name: 'repository', ok: false, required: true, detail: `${dir} is not a git repository`, fix: 'run caid inside your repository, or pass --repo DIR (git init and commit first for a new project)' }
    : committed
      ? { name: 'repository', ok: true, required: true, detail: repo.root }
      : { name: 'repository', ok: false, required: true, detail: `${repo.root} has no commits yet`, fix: 'commit something first (git add -A && git commit -m "initial"): caid branches from a commit' });
  add(g.name && g.email
    ? { name: 'git identity', ok: true, required: false, detail: `${g.name} <${g.email}>` }
    : { name: 'git identity', ok: false, required: false, detail: 'user.name or user.email is not set (caid commits as caid; `caid land` merge commits need yours)', fix: 'git config --global user.name "You"; git config --global user.email you@example.com' });

  // Settings as `caid run` would resolve them here (config file, flags, environment).
  // From a sub-folder too: the config is the repository root's, as `caid run` reads it.
  const root = repo?.root ?? dir;
  const { config } = loadConfig(root, f.config);
  const settings = resolveSettings(f.given, config, process.env, { repoDir: root });

  const wtRoot = settings.worktreeRoot ?? process.env.CAID_WORKTREE_ROOT ?? defaultWorktreeRoot(root);
  // A diagnostic changes nothing: the root is not created here (caid run does that).
  const rootCheck = checkWorktreeRoot(wtRoot);
  add({ name: 'worktree root', required: true, ...rootCheck, ...(rootCheck.ok ? {} : { fix: 'pass --worktree-root DIR (or set CAID_WORKTREE_ROOT) to a folder you can write' }) });

  const bwrap = sandboxProblem('bwrap');
  const use = settings.sandbox === 'none' ? 'not used (sandbox: none)' : bwrap ? (settings.sandbox === 'auto' ? 'sandbox: auto runs agent commands unconfined, with your permissions' : '') : `agent commands run under it (sandbox: ${settings.sandbox})`;
  add({
    name: 'bubblewrap', ok: !bwrap, required: settings.sandbox === 'bwrap',
    detail: [bwrap ? bwrap.replace(/^sandbox "bwrap" was asked for, but /, '') : 'usable', use].filter(Boolean).join('; '),
    fix: bwrap ? (settings.sandbox === 'bwrap' ? 'install bubblewrap or allow unprivileged user namespaces, or pass --sandbox none' : 'install bubblewrap to confine agent commands (or pass --sandbox none to silence the warning)') : undefined,
  });

  if (/^rediss?:\/\//.test(settings.queue)) {
    try {
      const { checkRedis } = await import('@caid/queue-bullmq');
      await checkRedis(settings.queue, 3_000);
      add({ name: 'redis', ok: true, required: true, detail: `${redactUrl(settings.queue)} answers` });
    } catch (err) {
      log.debug({ err }, 'doctor: redis check failed');
      // checkRedis's message ends in its own advice; the line shows it once, after the arrow.
      const said = (err as Error).message;
      add({ name: 'redis', ok: false, required: true, detail: said.replace(/ \(start it, .*\)$/s, ''), fix: 'start Redis (e.g. `redis-server` or `docker run -d -p 6379:6379 redis`) or fix --queue / REDIS_URL' });
    }
  }

  const external = Boolean(settings.agent?.command || settings.agent?.preset);
  for (const c of await modelChecks(settings, external)) add(c);

  for (const preset of AGENT_PRESETS) {
    const bin = AGENT_PRESET_COMMANDS[preset].command.split(' ')[0]!;
    const found = onPath(bin);
    const chosen = settings.agent?.preset === preset;
    if (!found && !chosen) continue; // only the agents you have (or asked for) get a line
    add(found
      ? { name: `agent ${preset}`, ok: true, required: chosen, detail: `${found}${chosen ? ' (the configured agent)' : ' (--agent ' + preset + ')'}` }
      : { name: `agent ${preset}`, ok: false, required: true, detail: `${bin} is not on PATH, and the config asks for --agent ${preset}`, fix: `install ${bin} or choose another agent` });
  }
  return checks;
}

/** Each distinct model endpoint of the roles: reachable, tool-call probe, context window. */
async function modelChecks(settings: RunSettings, external: boolean): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  const seen = new Set<string>();
  for (const role of ['worker', 'planner', 'resolver'] as ModelRole[]) {
    const ref = modelRef(settings, role);
    const { baseURL, apiKey } = modelEndpoint(ref);
    const key = `${baseURL}|${ref.model ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const name = `model ${role}`;
    // With an external agent the worker model is the agent's business; the planner's still matters for goal runs.
    const required = !(external && role === 'worker');
    if (!ref.model) {
      out.push({ name, ok: false, required, detail: 'no model named', fix: 'pass --model NAME or set CAID_MODEL, or run `caid init` to write caid.config.yaml' });
      continue;
    }
    const server = await probeServer(baseURL, { apiKey, model: ref.model });
    if (!server.reachable) {
      const instead = await v1Instead(baseURL, { apiKey });
      const fix = instead ? `the server answers at ${redactUrl(instead)}: pass --base-url ${redactUrl(instead)} (or set baseURL in caid.config.yaml)` : 'start the model server, or fix --base-url / OPENAI_BASE_URL (most servers want it to end in /v1)';
      out.push({ name, ok: false, required, detail: `${ref.model} at ${redactUrl(baseURL)}: ${server.problem}`, fix });
      continue;
    }
    const listed = server.models.length === 0 || server.models.includes(ref.model);
    out.push({ name, ok: listed, required: false, detail: `${redactUrl(baseURL)} answers${listed ? '' : `, but does not list ${ref.model} (it has: ${server.models.slice(0, 5).join(', ')})`}`, fix: listed ? undefined : 'check the model name (--model / CAID_MODEL)' });
    let probe;
    try {
      probe = await probeToolCalls((caps) => modelFromSettings(probeSettings(settings, role, caps), role, process.env));
    } catch (err) {
      probe = { mode: 'none' as const, problem: (err as Error).message }; // e.g. a missing key: modelFromSettings says which
    }
    out.push(probe.mode === 'none'
      ? { name: `${name} tools`, ok: false, required, detail: `${ref.model} called no tool, natively or as a JSON block${probe.problem ? `: ${probe.problem}` : ''}`, fix: 'turn tool calling on (vLLM: --enable-auto-tool-choice --tool-call-parser …; llama.cpp: --jinja) or use a model trained for tools' }
      : { name: `${name} tools`, ok: true, required, detail: probe.mode === 'native' ? 'native tool calls' : 'JSON-block fallback (no native tool calls: set capabilities.nativeTools: false for this model)' });
    out.push(server.contextWindow
      ? { name: `${name} context`, ok: true, required: false, detail: `${server.contextWindow} tokens (${server.contextSource})` }
      : { name: `${name} context`, ok: true, required: false, detail: 'not reported by the server (caid assumes the provider preset\'s)' });
  }
  return out;
}

/** The role's model, one attempt, no streaming, with the probe's capabilities. */
function probeSettings(settings: RunSettings, role: ModelRole, caps: Record<string, unknown>): RunSettings {
  const ref = modelRef(settings, role);
  const probe = { ...ref, maxRetries: 0, stream: false, capabilities: { ...ref.capabilities, ...caps }, timeouts: { ...ref.timeouts, requestMs: 60_000 } };
  return { ...settings, models: { ...settings.models, [role]: probe } } as RunSettings;
}

function onPath(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout.toString().trim() : undefined;
}

const redactUrl = (url: string) => url.replace(/\/\/[^/@]*@/, '//');

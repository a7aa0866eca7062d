import os from 'node:os';
import path from 'node:path';
import { InputError, RunSettingsSchema, urlWithoutCredentials, type Config, type ModelConfig, type RunSettings, type RunSettingsInput } from '@caid/core';
import { modelEndpoint } from './model-settings.js';
import { flagOfSetting } from './option-groups.js';

export interface ResolveOptions {
  /** Relative paths in the config are relative to the repository. */
  repoDir?: string;
  /** A resumed run: the settings it recorded replace config and environment; flags still override. */
  recorded?: RunSettings;
}

/**
 * The one place flags, config and environment become `RunSettings`, for `run`, `resume`, `plan`
 * and `worker`: flags over the run's recorded settings (resume), else flags over `caid.config.*`
 * over the environment over the schema's defaults. Model roles are resolved to full references
 * (base URL, model, key variable name) so the log says exactly what ran. Bad values are an
 * InputError naming the flag or config key.
 */
export function resolveSettings(flags: RunSettingsInput, config: Config, env: NodeJS.ProcessEnv, o: ResolveOptions = {}): RunSettings {
  const { models: flagModels, ...rest } = flags;
  const base: Record<string, unknown> = o.recorded ? { ...o.recorded } : fromConfig(config, env, o.repoDir ?? '.');
  const merged = deepMerge(base, rest as Record<string, unknown>);
  if (flags.worktreeRoot) merged.worktreeRoot = path.resolve(expandHome(flags.worktreeRoot, env));
  merged.models = roleModels(flagModels?.worker ?? {}, o.recorded?.models ?? config.models ?? {}, env, Boolean(o.recorded));
  const parsed = RunSettingsSchema.safeParse(merged);
  if (!parsed.success) {
    throw new InputError('invalid settings:', parsed.error.issues.map((i) => {
      const at = i.path.map(String).join('.');
      const flag = flagOfSetting(at);
      return `${at}${flag ? ` (${flag.split(' ')[0]})` : ''}: ${i.message}`;
    }));
  }
  return parsed.data;
}

/** The settings paths whose values differ between two resolved settings (what a resume flag changed). */
export function changedSettings(before: RunSettings, after: RunSettings, prefix = ''): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].flatMap((k) => {
    const a = (before as Record<string, unknown>)[k];
    const b = (after as Record<string, unknown>)[k];
    if (isPlain(a) && isPlain(b)) return changedSettings(a as RunSettings, b as RunSettings, `${prefix}${k}.`);
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${prefix}${k}`];
  });
}

function fromConfig(c: Config, env: NodeJS.ProcessEnv, repoDir: string): Record<string, unknown> {
  const root = env.CAID_WORKTREE_ROOT || c.worktreeRoot;
  // The config file has the settings' own shape (models are resolved per role, below).
  const { models: _models, worktreeRoot: _root, ...same } = c;
  return {
    ...same,
    // The environment variable is relative to where caid runs; the config file's to the repository.
    worktreeRoot: root ? path.resolve(env.CAID_WORKTREE_ROOT ? '.' : repoDir, expandHome(root, env)) : undefined,
  };
}

const MODEL_FLAGS_FOR_RESOLVER = ['stream', 'apiKeyEnv', 'maxConcurrentRequests'] as const;

/**
 * Model flags apply to the worker and the planner; the resolver (only when configured) takes its
 * own endpoint and model and shares the flags' streaming, key name and request cap. Then the
 * provider preset, then OPENAI_BASE_URL / CAID_MODEL fill in what is left.
 */
function roleModels(f: ModelConfig, c: NonNullable<Config['models']>, env: NodeJS.ProcessEnv, recorded: boolean): Record<string, ModelConfig | undefined> {
  const shared = Object.fromEntries(MODEL_FLAGS_FOR_RESOLVER.flatMap((k) => (f[k] !== undefined ? [[k, f[k]]] : [])));
  // A provider flag means that provider's endpoint, unless a base URL is given with it.
  const switched = (m: ModelConfig = {}) => (f.provider && !f.baseURL ? { ...m, baseURL: undefined } : m);
  // In a fresh run too: `--provider openrouter` over a config's local baseURL used to keep that
  // URL, so the run asked the local server for openrouter's key.
  const worker = { ...switched(c.worker), ...f };
  const planner = c.planner ? (recorded ? { ...switched(c.planner), ...f } : { ...switched({ ...c.worker, ...c.planner }), ...f }) : undefined;
  const resolver = c.resolver ? (recorded ? { ...c.resolver, ...shared } : { ...c.worker, ...c.resolver, ...shared }) : undefined;
  return { worker: fill(worker, env, 'worker'), planner: planner && fill(planner, env, 'planner'), resolver: resolver && fill(resolver, env, 'resolver') };
}

function fill(m: ModelConfig, env: NodeJS.ProcessEnv, role: string): ModelConfig {
  const { baseURL } = modelEndpoint(m, env);
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new InputError(`--base-url / OPENAI_BASE_URL "${baseURL}" is not a URL (e.g. http://127.0.0.1:11434/v1 for Ollama)${role === 'worker' ? '' : ` (the ${role} model)`}`);
  }
  // Node's fetch refuses a URL with a user or password, so every request failed and caid reported
  // the server as not answering. The key goes in an environment variable, as a Bearer token.
  if (url.username || url.password) {
    throw new InputError(`the base URL ${urlWithoutCredentials(baseURL)}${role === 'worker' ? '' : ` (the ${role} model)`} carries a user name or password, which caid cannot send (Node's fetch refuses such URLs): remove them, and put the server's key in OPENAI_API_KEY (or the variable --api-key-env names)`);
  }
  const model = m.model ?? (env.CAID_MODEL || undefined);
  return { ...m, baseURL, ...(model ? { model } : {}) };
}

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  return p.startsWith('~/') ? path.join(env.HOME ?? os.homedir(), p.slice(2)) : p;
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    out[k] = isPlain(v) && isPlain(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

import { InputError, type ModelRole, type RunSettings } from '@caid/core';
import { ModelError, v1Instead } from '@caid/llm';
import { modelEndpoint, modelFromSettings, modelRef } from './model-settings.js';

/**
 * Before a run is created: one small request to each model endpoint the run will use, offering one
 * tool, so a wrong `--base-url`, a refused key or a server without tool calling is exit 2 naming
 * the URL, rather than a run whose every task fails. A reply that does not call the tool is only
 * a warning: a model may answer a probe in words and still use tools in a real task.
 */
export async function preflight(settings: RunSettings, roles: ModelRole[], env: NodeJS.ProcessEnv = process.env, warn = (line: string) => { process.stderr.write(line); }): Promise<void> {
  const seen = new Set<string>();
  for (const role of roles) {
    const ref = modelRef(settings, role);
    const key = `${ref.baseURL}|${ref.model}|${ref.apiKeyEnv ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // One attempt, bounded: the run's own retries are for a server that is known to be there.
    const probe: RunSettings = { ...settings, models: { ...settings.models, [role]: { ...ref, maxRetries: 0, stream: false, timeouts: { ...ref.timeouts, requestMs: 60_000 } } } };
    const model = modelFromSettings(probe, role, env);
    // A key variable the user named but did not set means requests go without a key: say it once,
    // here, rather than let a server that wants one answer 401 to every task.
    if (ref.apiKeyEnv && !env[ref.apiKeyEnv]) warn(`caid: warning: the ${role} model's key variable ${ref.apiKeyEnv} is not set; requests to ${ref.baseURL} go without an API key\n`);
    try {
      const reply = await model.complete({
        messages: [{ role: 'user', content: 'caid preflight: call the ping tool.' }],
        tools: [{ name: 'ping', description: 'answer the preflight check', parameters: { type: 'object', properties: {} } }],
        maxTokens: 64,
      });
      if (!reply.message.tool_calls?.length) warn(`caid: warning: preflight: the ${role} model ${ref.model} at ${ref.baseURL} answered without calling the offered tool; agents need tool calls (vLLM: --enable-auto-tool-choice; llama.cpp: --jinja)\n`);
    } catch (e) {
      // A 404 from a base URL without /v1: name the URL that answers, when the server answers there.
      const { baseURL, apiKey } = modelEndpoint(ref, env);
      const instead = e instanceof ModelError && e.status === 404 ? await v1Instead(baseURL, { apiKey }) : undefined;
      if (instead) throw new InputError(`preflight: the ${role} model endpoint ${baseURL} answered 404 (no /v1), but the server answers at ${instead}: pass --base-url ${instead} (or set baseURL in caid.config.yaml); nothing was started`);
      throw new InputError(`preflight: the ${role} model endpoint ${ref.baseURL} (model ${ref.model}) ${verdict(e)}; nothing was started (--no-preflight skips this check)`);
    }
  }
}

function verdict(e: unknown): string {
  if (!(e instanceof ModelError)) return `failed: ${(e as Error).message}`;
  if (e.status === undefined) return `did not answer: ${e.message}. Check --base-url (e.g. http://127.0.0.1:11434/v1 for Ollama) and that the server is running`;
  if (e.status === 404) return `answered 404: ${e.message}. Check the path of --base-url (most servers want it to end in /v1) and the model name`;
  if (e.status === 401 || e.status === 403) return `refused the API key (HTTP ${e.status}). Check the key variable (--api-key-env)`;
  return `answered HTTP ${e.status} to a request with one tool: ${e.message}. Check the model name and that the server has tool calling on (vLLM: --enable-auto-tool-choice --tool-call-parser …; llama.cpp: --jinja)`;
}

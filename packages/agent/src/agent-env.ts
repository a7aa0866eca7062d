const SECRET = /(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|^AWS_|^OPENAI_|^ANTHROPIC_|^OPENROUTER_|^CAID_MODEL)/i;

/**
 * The environment for commands run on an agent's behalf (its `run` tool, setup, verify):
 * the caller's environment minus anything that looks like a credential, so a model can
 * never read a key by running `env`.
 */
export function agentEnv(extra: Record<string, string> = {}, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && !SECRET.test(k) && !k.startsWith('GIT_')) env[k] = v;
  }
  return { ...env, ...extra, CI: env.CI ?? '1', GIT_TERMINAL_PROMPT: '0' };
}

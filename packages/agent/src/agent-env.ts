import { isSecretVariable, redactText, secretValues as coreSecretValues } from '@caid/core';

export { isSecretVariable };

/**
 * The environment for commands run on an agent's behalf (its `run` tool, setup, verify):
 * the caller's environment minus anything that looks like a credential (names like *_API_KEY,
 * *_TOKEN, *_SECRET, cloud credentials, and any URL with a password such as REDIS_URL), so a
 * model can never read a key by running `env`. `extra` may not add secrets back either.
 */
export function agentEnv(extra: Record<string, string> = {}, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && !isSecretVariable(k, v) && !k.startsWith('GIT_')) env[k] = v;
  }
  return { ...env, ...extra, CI: env.CI ?? '1', GIT_TERMINAL_PROMPT: '0' };
}

/** Values of secret variables (long enough to be keys), for scrubbing text before it is stored. */
export const secretValues = (base: NodeJS.ProcessEnv = process.env, extra: readonly (string | undefined)[] = []): string[] => coreSecretValues(base, extra);

/** Replaces every secret value, URL credentials and known token shapes in `text` (the rule lives in @caid/core). */
export const scrubText = (text: string, secrets: readonly string[]): string => redactText(text, secrets);

const SECRET_NAME = /(API_?KEY|(^|_)KEY($|_)|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|ACCESS_KEY|SESSION_KEY|^AWS_|^AZURE_|^ARM_CLIENT|^GOOGLE_APPLICATION_CREDENTIALS$|^GOOGLE_CLOUD_|^GCLOUD_|^CLOUDSDK_|^DIGITALOCEAN_|^HCLOUD_|^OCI_|^ALIBABA_CLOUD_|^OPENAI_|^ANTHROPIC_|^OPENROUTER_|^CAID_MODEL|^DOCKER_AUTH_CONFIG$|^KUBECONFIG$|^NETRC$|^SSH_AUTH_SOCK$)/i;
/** A URL carrying a user name and password: `redis://:pw@host`, `postgres://u:pw@host/db`. */
const URL_WITH_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[^/\s@]*:[^/\s@]+@/i;

/** Whether a variable may not reach commands run for an agent. */
export const isSecretVariable = (name: string, value: string): boolean => SECRET_NAME.test(name) || URL_WITH_CREDENTIALS.test(value);

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
export function secretValues(base: NodeJS.ProcessEnv = process.env): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(base)) {
    if (!v || !isSecretVariable(k, v)) continue;
    const m = /:\/\/[^/\s@]*:([^/\s@]+)@/.exec(v);
    const secret = m?.[1] ?? v;
    if (secret.length >= 8) out.add(secret);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** Replaces every secret value in `text`. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
  return out;
}

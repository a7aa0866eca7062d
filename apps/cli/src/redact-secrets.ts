/** Names of variables that hold credentials (the same rule that keeps them out of agent shells). */
const SECRET_NAME = /(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|^AWS_|^OPENAI_|^ANTHROPIC_|^OPENROUTER_)/i;

/**
 * Replaces the values of credential-like environment variables with `[redacted]`. The run's
 * files should never hold a key; this is the second fence for what the dashboard serves, in case
 * an agent printed one anyway. Short values are skipped: they would redact ordinary words.
 */
export function secretRedactor(env: NodeJS.ProcessEnv = process.env): (text: string) => string {
  const values = Object.entries(env)
    .filter(([k, v]) => SECRET_NAME.test(k) && typeof v === 'string' && v.length >= 8 && !/^https?:\/\//.test(v))
    .map(([, v]) => v!)
    .sort((a, b) => b.length - a.length);
  if (!values.length) return (text) => text;
  return (text) => values.reduce((t, v) => t.split(v).join('[redacted]'), text);
}

/**
 * The one rule for what is a secret, used by every writer: the agent's environment, events,
 * transcripts, recordings, error messages and the dashboard. Pure (no I/O): callers pass the
 * environment they mean.
 */

/** Variable names that hold credentials: *_KEY, *_TOKEN, *_SECRET, *_PASSWORD, *_DSN, *WEBHOOK*, *_AUTH*, cloud credentials. */
const SECRET_NAME = new RegExp([
  'API_?KEY', '(^|_)KEYS?($|_)', 'TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'PASSPHRASE', 'CREDENTIAL', 'PRIVATE_KEY',
  'ACCESS_KEY', 'SESSION_KEY', '(^|_)DSN($|_)', 'WEBHOOK', '(^|_)AUTH($|_)', 'AUTH_?TOKEN', '(^|_)COOKIE($|_)',
  '^AWS_', '^AZURE_', '^ARM_CLIENT', '^GOOGLE_APPLICATION_CREDENTIALS$', '^GOOGLE_CLOUD_', '^GCLOUD_', '^CLOUDSDK_',
  '^DIGITALOCEAN_', '^HCLOUD_', '^OCI_', '^ALIBABA_CLOUD_', '^OPENAI_', '^ANTHROPIC_', '^OPENROUTER_', '^CAID_MODEL',
  '^DOCKER_AUTH_CONFIG$', '^KUBECONFIG$', '^NETRC$', '^SSH_AUTH_SOCK$',
].join('|'), 'i');

/** `scheme://user:password@` (the user part may be empty: `redis://:pw@host`). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@:"'<>]*:[^/\s@"'<>]+@/gi;

/** Shapes of well-known tokens, recognised wherever they appear. */
const TOKEN_SHAPES: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI, Anthropic (sk-ant-…), OpenRouter (sk-or-…)
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bhooks\.slack\.com\/services\/[A-Za-z0-9/]+/g,
  /(?<=\b(?:Bearer|Basic) )[A-Za-z0-9._~+/=-]{8,}/g, // an Authorization header's credential, echoed in an error
];

export const REDACTED = '[redacted]';

/** Whether a variable name says it holds a credential. */
export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

/** Whether a value carries credentials in a URL (`postgres://u:pw@host`) or has a known token shape. */
export function isSecretValue(value: string): boolean {
  URL_CREDENTIALS.lastIndex = 0;
  if (URL_CREDENTIALS.test(value)) return true;
  return TOKEN_SHAPES.some((re) => {
    re.lastIndex = 0;
    return re.test(value);
  });
}

/** Whether a variable may not reach commands run for an agent, nor any file or message. */
export const isSecretVariable = (name: string, value: string): boolean => isSecretName(name) || isSecretValue(value);

/**
 * The secret strings of an environment (and of `extra` values such as a base URL given as a flag):
 * values of secret variables, and the password part of every URL with credentials. Values shorter
 * than 8 characters are skipped (they would redact ordinary words; the shape rules still apply).
 * Longest first, so a key that contains another is replaced whole.
 */
export function secretValues(env: Readonly<Record<string, string | undefined>>, extra: readonly (string | undefined)[] = []): string[] {
  const out = new Set<string>();
  const add = (s: string) => { if (s.length >= 8) out.add(s); };
  const fromUrls = (v: string) => {
    for (const m of v.matchAll(/:\/\/([^/\s@]*)@/g)) {
      const [, ...pw] = m[1]!.split(':');
      if (pw.length) add(decodeSafe(pw.join(':')));
      if (pw.length) add(pw.join(':'));
    }
  };
  for (const [k, v] of Object.entries(env)) {
    if (!v) continue;
    if (isSecretName(k) && !/^[a-z][a-z0-9+.-]*:\/\/[^@]*$/i.test(v)) add(v);
    fromUrls(v);
  }
  for (const v of extra) if (v) fromUrls(v);
  return [...out].sort((a, b) => b.length - a.length);
}

/** Replaces every listed secret, every URL's credentials and every known token shape in `text`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  out = out.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  for (const re of TOKEN_SHAPES) out = out.replace(re, REDACTED);
  return out;
}

/** A redactor bound to one environment's secrets (plus `extra` values such as a base URL). */
export function secretRedactor(env: Readonly<Record<string, string | undefined>>, extra: readonly (string | undefined)[] = []): (text: string) => string {
  const secrets = secretValues(env, extra);
  return (text) => redactText(text, secrets);
}

/** A URL without its user and password, for messages: `http://u:pw@h/v1` → `http://h/v1`. */
export function urlWithoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    // expected: not a URL: the text rules still remove credentials and tokens (core does no I/O, so no log)
    return redactText(url);
  }
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // expected: not percent-encoded: the raw text is the secret
    return s;
  }
}

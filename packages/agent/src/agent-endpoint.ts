/**
 * Where an external agent CLI gets its model: caid's metering endpoint, never the user's key.
 * Presets point their tool at it through these environment variables (or their own config file
 * written from them).
 */
export interface AgentEndpoint {
  /** OpenAI-style base URL ending in /v1 (chat completions and Responses): `http://127.0.0.1:PORT/v1`. */
  openaiBaseUrl: string;
  /** Anthropic-style base URL (clients append /v1/messages): `http://127.0.0.1:PORT`. */
  anthropicBaseUrl: string;
  /** Per-run bearer token (also accepted as `x-api-key`); not the user's key. */
  token: string;
  /** The upstream model's name (the endpoint accepts any model name). */
  model: string;
}

/** The variables every external agent gets when caid meters its model traffic. */
export const endpointEnv = (e: AgentEndpoint): Record<string, string> => ({
  CAID_ENDPOINT_URL: e.openaiBaseUrl,
  CAID_ENDPOINT_ANTHROPIC_URL: e.anthropicBaseUrl,
  CAID_ENDPOINT_TOKEN: e.token,
  CAID_ENDPOINT_MODEL: e.model,
});

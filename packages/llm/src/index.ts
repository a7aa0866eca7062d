export * from './model.js';
export { openaiCompatible, type OpenAICompatibleOptions } from './openai-compatible.js';
export type { Pricing } from './token-usage.js';
export * from './providers.js';
export { retryDelayMs, parseRetryAfter, withRetries, DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export { Limiter, endpointLimiter } from './endpoint-limiter.js';
export { parseTextToolCalls, toTextToolRequest } from './text-tool-protocol.js';
export * from './record-replay.js';
export { probeServer, probeToolCalls, ollamaModels, serverOrigin, type ServerProbe, type ProbeOptions, type ToolCallMode } from './probe-server.js';

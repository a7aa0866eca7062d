export * from './model.js';
export { openaiCompatible, type OpenAICompatibleOptions } from './openai-compatible.js';
export type { Pricing } from './token-usage.js';

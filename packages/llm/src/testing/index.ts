export type { Conversation } from './conversation.js';
export type { ScriptedReply, ScriptedToolCall, ScriptRule } from './script-rule.js';
export { startScriptedModel, type ScriptedModelOptions, type ScriptedModelServer } from './start-scripted-model.js';
export { when } from './when.js';
export { loadExchanges, startReplayServer, type RecordedExchange, type ReplayServer } from './start-replay-server.js';

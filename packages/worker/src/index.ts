export * from './execute-task.js';
export * from './transcript.js';
export * from './port-blocks.js';
export * from './worktree-include.js';
export * from './share-dirs.js';
export { worktreePath, taskEnv, scratchDir } from './prepare-round.js';
export { SYSTEM_PROMPT, systemPrompt, taskMessage } from './task-prompt.js';
export * from './round-agent.js';
export * from './repo-instructions.js';

export * from './execute-task.js';
export * from './transcript.js';
export { worktreePath, taskEnv } from './prepare-round.js';
export { SYSTEM_PROMPT, taskMessage } from './task-prompt.js';
export * from './execute-remote-task.js';
export * from './claim-workdir.js';
export * from './port-blocks.js';
export * from './worktree-include.js';
export * from './share-dirs.js';

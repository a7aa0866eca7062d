export * from './define-tool.js';
export * from './run-agent.js';
export * from './builtin-tools.js';
export * from './run-shell.js';
export * from './agent-env.js';
export * from './confine-path.js';
export * from './clip-output.js';

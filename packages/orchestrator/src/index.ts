export * from './load-plan.js';
export * from './run-log.js';
export * from './run-store.js';
export * from './open-target.js';
export * from './run-plan.js';
export * from './cleanup-run.js';
export * from './load-config.js';

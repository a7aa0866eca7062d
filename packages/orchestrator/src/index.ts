export * from './load-plan.js';
export * from './run-log.js';
export * from './run-store.js';
export * from './open-target.js';
export * from './run-plan.js';
export * from './drive-run.js';
export * from './run-lock.js';
export * from './cleanup-run.js';

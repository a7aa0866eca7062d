export * from './task-queue.js';
export * from './memory-queue.js';
export * from './schedule.js';
export * from './one-by-one.js';
export * from './schedule-options.js';

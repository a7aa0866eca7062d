export * from './bullmq-queue.js';
export * from './redis-url.js';
export * from './bull-priority.js';
export type { BullWorkerOptions } from './bull-worker.js';
export * from './check-redis.js';

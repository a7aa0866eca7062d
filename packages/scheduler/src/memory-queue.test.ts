import { queueConformance } from './queue-conformance.js';
import { memoryQueue } from './memory-queue.js';

queueConformance('memoryQueue', () => memoryQueue());

// The package table of ARCHITECTURE.md: a package may import only packages of a lower layer.
export const LAYERS = {
  '@caid/core': 0,
  // The operational logger sits between core (whose secret rule it applies) and everything else.
  '@caid/log': 0.5,
  '@caid/git': 1,
  '@caid/llm': 1,
  '@caid/agent': 2,
  '@caid/scheduler': 2,
  '@caid/planner': 3,
  '@caid/worker': 3,
  '@caid/integrator': 3,
  '@caid/queue-bullmq': 4,
  '@caid/orchestrator': 4,
  '@caid/eval': 5,
  'caid': 6,
  '@caid/dashboard': 6,
};
// Only these may import the queue's backing libraries (ARCHITECTURE.md, issue 5).
export const EXCLUSIVE = { bullmq: ['@caid/queue-bullmq'], ioredis: ['@caid/queue-bullmq'] };

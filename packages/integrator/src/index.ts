export * from './test-gate.js';
export * from './run-verify.js';
export * from './junit-report.js';
export * from './instrument-verify.js';
export * from './merge-batch.js';
export * from './judge-run.js';
export * from './spawn-verify.js';
export * from './attribute-failure.js';

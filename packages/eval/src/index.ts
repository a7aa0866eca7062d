export * from './commit0-library.js';
export * from './commit0-plan.js';
export * from './oracle-model.js';
export * from './run-library-tests.js';
export * from './eval-commit0.js';

import os from 'node:os';
import type { RunSettings } from '@caid/core';
import type { DriveOptions } from '@caid/orchestrator';

/**
 * Verify runs the project's tests, which use the cores; agents mostly wait for the model. Half the
 * cores, at least 1 and at most 4, leaves room for the agents' own commands.
 */
export function autoVerifyConcurrency(cores = os.availableParallelism()): number {
  return Math.max(1, Math.min(4, Math.floor(cores / 2)));
}

/** The parts of `DriveOptions` that come from the run's settings (the same for run and resume). */
export function driveSettings(s: RunSettings): Pick<DriveOptions, 'limits' | 'batchMax' | 'batchWait' | 'verifyConcurrency' | 'conflictWarnings' | 'gate' | 'verifyReport' | 'prepare'> {
  return {
    limits: { conflictRounds: s.limits.conflictRounds, verifyAttempts: s.limits.verifyAttempts, verifyTimeoutMs: s.limits.verifyTimeoutMin * 60_000 },
    batchMax: s.mergeQueue.batchMax,
    batchWait: s.mergeQueue.batchWait === 'auto' ? 'auto' : s.mergeQueue.batchWait * 1000,
    verifyConcurrency: s.mergeQueue.verifyConcurrency === 'auto' ? autoVerifyConcurrency() : s.mergeQueue.verifyConcurrency,
    conflictWarnings: s.mergeQueue.conflictWarnings,
    gate: s.gate,
    verifyReport: s.verifyReport,
    prepare: { include: s.include, share: s.share, ...(s.setupTimeoutMin ? { setupTimeoutMs: s.setupTimeoutMin * 60_000 } : {}) },
  };
}

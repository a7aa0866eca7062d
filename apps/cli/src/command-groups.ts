import type { OptionGroup } from './option-groups.js';

/** Which option groups each command takes (the README's option tables follow these lists). */
export const RUN_GROUPS: OptionGroup[] = ['repo', 'config', 'worktrees', 'model', 'recording', 'runLimits', 'agentLimits', 'verify', 'gate', 'sandbox', 'planning', 'replan', 'mergeQueue', 'queue', 'landing', 'output', 'logging'];
/** Resume runs with the settings the run recorded; a flag given here overrides one and is logged. */
export const RESUME_GROUPS: OptionGroup[] = ['repo', 'model', 'recording', 'runLimits', 'agentLimits', 'verify', 'sandbox', 'replan', 'mergeQueue', 'queue', 'output', 'logging'];
export const PLAN_GROUPS: OptionGroup[] = ['repo', 'config', 'model', 'recording', 'planning', 'logging'];
/** A worker runs agents: their model, limits and sandbox; it has no repository of its own. */
export const WORKER_GROUPS: OptionGroup[] = ['config', 'model', 'agentLimits', 'sandbox', 'logging'];
/** `caid doctor` checks what a run here would use: the same repository, config, model, sandbox and queue settings. */
export const DOCTOR_GROUPS: OptionGroup[] = ['repo', 'config', 'worktrees', 'model', 'sandbox', 'queue', 'logging'];

import { InvalidArgumentError, Option, type Command } from 'commander';
import { AGENT_PRESETS, DEFAULT_RUN_SETTINGS, GATE_MODES, PROVIDERS, type RunSettingsInput } from '@caid/core';

/**
 * One command-line option. `setting` is where its value goes in `RunSettings` (a dotted path); the
 * help text shows that setting's default from the schema, so no default is written twice.
 * Options without a `setting` belong to one invocation (output, repository, recording).
 */
export interface OptionSpec {
  flags: string;
  description: string;
  setting?: string;
  parse?: (value: string) => unknown;
  /** The default of an option that is not a setting. */
  default?: string | boolean;
  /** The default as help shows it, when it is not a plain value (e.g. "$REDIS_URL"). */
  defaultText?: string;
}

const nameOf = (flags: string) => flags.match(/--[a-z0-9-]+/)![0];

/** Commander's own parsers: a bad value is a usage error (exit 2) naming the flag. */
export const wholeNumber = (flag: string, min = 1) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} takes a whole number${min > 0 ? ` of at least ${min}` : ''}, not "${v}"`);
  return n;
};
export const positive = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} takes a positive number, not "${v}"`);
  return n;
};
export const nonNegativeSeconds = (flag: string) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${flag} takes a number of seconds (0 or more) or auto, not "${v}"`);
  return n;
};
export const oneOf = (flag: string, values: readonly string[], what?: string) => (v: string) => {
  if (!values.includes(v)) throw new InvalidArgumentError(what ? `unknown ${what} "${v}"; use one of ${values.join(', ')}` : `${flag} takes ${values.join(' | ')}, not "${v}"`);
  return v;
};

/** Declares an option whose value goes to `setting`, parsed as a whole number. */
const num = (flags: string, description: string, setting: string, min = 1): OptionSpec => ({ flags, description, setting, parse: wholeNumber(nameOf(flags), min) });

/**
 * The option groups, declared once; each command takes the groups that apply to it. A new flag
 * goes in the group it belongs to (or a new group), with its `setting` in `RunSettings`.
 */
export const OPTION_GROUPS = {
  repo: [
    { flags: '--repo <dir>', description: 'the git repository', default: '.' },
  ],
  config: [
    { flags: '--config <file>', description: 'config file', defaultText: 'caid.config.yaml|json at the repository root' },
  ],
  worktrees: [
    { flags: '--worktree-root <dir>', description: 'where task worktrees live', setting: 'worktreeRoot', defaultText: '$CAID_WORKTREE_ROOT, else ~/.caid/worktrees/<repo>-<hash>' },
  ],
  model: [
    { flags: '--model <name>', description: 'model name', setting: 'models.worker.model', defaultText: '$CAID_MODEL' },
    { flags: '--base-url <url>', description: 'OpenAI-compatible endpoint', setting: 'models.worker.baseURL', defaultText: "the provider's, else $OPENAI_BASE_URL, else OpenAI" },
    { flags: '--provider <name>', description: `${PROVIDERS.join(' | ')}: default base URL and capabilities`, setting: 'models.worker.provider', parse: oneOf('--provider', PROVIDERS, 'provider') },
    { flags: '--api-key-env <NAME>', description: 'NAME of the environment variable holding the API key', setting: 'models.worker.apiKeyEnv', defaultText: "OPENAI_API_KEY, or the provider's" },
    num('--max-concurrent-requests <n>', 'requests in flight to the model endpoint, shared by all workers', 'models.worker.maxConcurrentRequests'),
    { flags: '--stream', description: 'stream model replies', setting: 'models.worker.stream' },
  ],
  recording: [
    { flags: '--record <dir>', description: 'save every model request and reply in DIR' },
    { flags: '--replay <dir>', description: 'answer model requests from a recording in DIR instead of a server' },
  ],
  agentLimits: [
    num('--max-steps <n>', 'model calls per agent round', 'limits.maxSteps'),
    { flags: '--task-timeout <minutes>', description: 'wall time per agent round', setting: 'limits.taskTimeoutMin', parse: positive('--task-timeout') },
    num('--task-tokens <n>', 'tokens (input + output) per task, over all its rounds', 'limits.taskTokens'),
    { ...num('--max-reply-tokens <n>', 'most tokens one model reply may use (max_tokens), within the context the prompt leaves', 'limits.maxReplyTokens'), defaultText: 'a quarter of the context, at most 8192' },
  ],
  runLimits: [
    num('--workers <n>', 'agents running at once', 'workers'),
    num('--conflict-rounds <n>', 'conflict rounds per task before it fails', 'limits.conflictRounds', 0),
    num('--verify-attempts <n>', 'failed verifies per task before it fails', 'limits.verifyAttempts'),
    { flags: '--verify-timeout <minutes>', description: 'wall time of one verify run', setting: 'limits.verifyTimeoutMin', parse: positive('--verify-timeout') },
    { flags: '--budget-usd <usd>', description: 'stop the run once it has cost this much', setting: 'budget.usd', parse: positive('--budget-usd') },
    num('--budget-tokens <n>', 'stop the run once it has used this many tokens', 'budget.tokens'),
  ],
  // The verify command and its report can change on resume (a mistyped verify is fixed there);
  // the gate's mode stays the one the run chose at its start, so --gate is run's alone.
  verify: [
    { flags: '--verify <cmd>', description: 'command that must pass after every merge (overrides the plan)', setting: 'verify' },
    { flags: '--verify-report <path>', description: 'JUnit XML report your verify writes, for runners caid does not recognise', setting: 'verifyReport' },
  ],
  gate: [
    { flags: '--gate <mode>', description: 'all: verify must pass after each merge; no-regression: no passing test may break', setting: 'gate', parse: oneOf('--gate', GATE_MODES), defaultText: 'the plan\'s, else from the base' },
  ],
  sandbox: [
    { flags: '--sandbox <kind>', description: 'auto | bwrap | none: run agent commands under bubblewrap (no network, read-only outside the worktree); auto = when it works here, else a warning', setting: 'sandbox', parse: oneOf('--sandbox', ['auto', 'bwrap', 'none']) },
    { flags: '--agent <preset>', description: `external agent preset: ${AGENT_PRESETS.join(' | ')}`, setting: 'agent.preset', parse: oneOf('--agent', AGENT_PRESETS, 'agent preset') },
    { flags: '--agent-command <cmd>', description: 'run this external coding agent instead of the built-in one; {promptFile} is replaced by the prompt file', setting: 'agent.command' },
  ],
  planning: [
    num('--max-tasks <n>', 'most tasks the planner may use (goal runs and replans)', 'planner.maxTasks'),
    num('--max-repairs <n>', 'rejected plans the planner may repair before caid gives up', 'planner.maxRepairs', 0),
  ],
  replan: [
    { flags: '--scaffold', description: 'before the tasks, the planner commits a skeleton (interfaces, stubs, shared files)', setting: 'planner.scaffold' },
    { flags: '--review', description: 'after the last merge, a reviewer agent fixes cross-task mismatches (kept only if verify passes)', setting: 'planner.review' },
    { flags: '--replan', description: 'let the planner revise the rest of the graph when a task fails for good', setting: 'planner.replan', defaultText: 'on for goal runs, off for plan files' },
    { flags: '--no-replan', description: 'never replan', setting: 'planner.replan' },
    num('--max-replans <n>', 'plan revisions per run', 'planner.maxReplans', 0),
  ],
  mergeQueue: [
    num('--batch-max <n>', 'most finished tasks merged and verified together', 'mergeQueue.batchMax'),
    {
      flags: '--verify-concurrency <n>', description: 'batches verified at once, each on top of the one below it (auto: from the cores)', setting: 'mergeQueue.verifyConcurrency',
      parse: (v: string) => (v === 'auto' ? v : wholeNumber('--verify-concurrency')(v)),
    },
    num('--conflict-warnings <n>', 'agent steps between trial merges that warn an agent of a coming conflict (0: off)', 'mergeQueue.conflictWarnings', 0),
    {
      flags: '--batch-wait <seconds|auto>', description: 'how long a free verify lane waits for running tasks to finish before it verifies a batch that is not full (auto: a fifth of the last verify, then once more for tasks predicted to finish within it; at most 60; 0: never)',
      setting: 'mergeQueue.batchWait', parse: (v: string) => (v === 'auto' ? v : nonNegativeSeconds('--batch-wait')(v)),
    },
  ],
  queue: [
    { flags: '--queue <url>', description: 'memory (in-process workers) or redis://host:port[/db] (`caid worker` processes on any machine)', setting: 'queue' },
  ],
  landing: [
    { flags: '--land', description: 'after a green run, bring the result into the branch the run started from (as `caid land`)' },
  ],
  logging: [
    { flags: '--log-format <format>', description: 'operational log lines on stderr: json | pretty (level: $CAID_LOG_LEVEL)', parse: oneOf('--log-format', ['json', 'pretty']), defaultText: 'pretty on a terminal, else json' },
  ],
  output: [
    { flags: '--json', description: 'print exactly one JSON summary on stdout' },
    { flags: '--quiet', description: 'print only the summary' },
  ],
} satisfies Record<string, OptionSpec[]>;

export type OptionGroup = keyof typeof OPTION_GROUPS;

/** The heading each group gets in `--help`. */
export const GROUP_TITLES: Record<OptionGroup, string> = {
  repo: 'Repository', config: 'Repository', worktrees: 'Repository', model: 'Model', recording: 'Model',
  agentLimits: 'Limits', runLimits: 'Limits', verify: 'Gate', gate: 'Gate', sandbox: 'Sandbox and agent', planning: 'Planner',
  replan: 'Planner', mergeQueue: 'Merge queue', queue: 'Queue', landing: 'Landing', logging: 'Output', output: 'Output',
};

/** The default a setting's help shows: the schema's, read at its dotted path. */
export function settingDefault(setting: string): unknown {
  return setting.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], DEFAULT_RUN_SETTINGS);
}

/**
 * Adds the groups' options to `cmd`, with their parsers and their real defaults in the help.
 * `recorded`: the command continues a run, whose recorded settings are the defaults (`caid resume`).
 */
export function addOptionGroups(cmd: Command, groups: OptionGroup[], o: { recorded?: boolean } = {}): Command {
  for (const g of groups) {
    for (const spec of OPTION_GROUPS[g] as OptionSpec[]) {
      const opt = new Option(spec.flags, spec.description).helpGroup(`${GROUP_TITLES[g]} options:`);
      if (spec.parse) opt.argParser(spec.parse);
      const fallback = spec.default ?? (spec.setting && !spec.flags.startsWith('--no-') ? settingDefault(spec.setting) : undefined);
      // Booleans that default to false read better without "(default: false)".
      if (o.recorded && spec.setting) opt.description = `${spec.description} (default: as the run recorded)`;
      else if (fallback !== undefined && fallback !== false) opt.default(fallback, spec.defaultText);
      else if (spec.defaultText) opt.description = `${spec.description} (default: ${spec.defaultText})`;
      cmd.addOption(opt);
    }
  }
  return cmd;
}

/**
 * The settings given on the command line, as a partial `RunSettings`: only options the user typed
 * (or set through their environment variable), never their displayed defaults, so config and the
 * run's recorded settings are overridden only by what was asked for.
 */
export function settingsFromFlags(cmd: Command): RunSettingsInput {
  const out: Record<string, unknown> = {};
  const opts = cmd.opts();
  for (const spec of Object.values(OPTION_GROUPS).flat() as OptionSpec[]) {
    if (!spec.setting) continue;
    const key = new Option(spec.flags).attributeName();
    if (!(key in opts) || cmd.getOptionValueSource(key) !== 'cli') continue;
    setPath(out, spec.setting, opts[key]);
  }
  return out as RunSettingsInput;
}

/** Every setting path the options can set, with the flag that sets it (for "did you mean" and README checks). */
export const flagOfSetting = (setting: string) => (Object.values(OPTION_GROUPS).flat() as OptionSpec[]).find((s) => s.setting === setting && !s.flags.startsWith('--no-'))?.flags;

function setPath(o: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let at = o;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  at[keys.at(-1)!] = value;
}

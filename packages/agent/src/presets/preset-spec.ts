/** Where a preset's tool gets its model: caid's endpoint (or, before it is running, any server caid was given). */
export interface PresetEndpoint {
  /** OpenAI-style base URL ending in /v1 (chat completions and Responses). */
  openaiBaseUrl: string;
  /** Anthropic-style base URL (clients append /v1/messages). */
  anthropicBaseUrl: string;
  /** The bearer token the tool sends; caid's per-run token, never the user's key. */
  token: string;
  /** The model name the tool asks for. */
  model: string;
}

export interface PresetContext {
  endpoint: PresetEndpoint;
  /** The task's scratch HOME (outside the worktree, never the user's): config files go here. */
  home: string;
}

/** The wire protocol a tool speaks to its model. */
export type PresetProtocol = 'chat' | 'responses' | 'anthropic';

/** One external agent CLI caid knows how to run. */
export interface AgentPresetSpec {
  /** A shell command with `{promptFile}` where the prompt file's path goes. */
  command: string;
  /** Variables the tool may see when caid does not meter it (its own key, on its own configuration). */
  passEnv: readonly string[];
  /** The npm package caid's tests drive, pinned in tools/agent-clis (absent: a documented template only). */
  npm?: { name: string; version: string; bin: string };
  protocol?: PresetProtocol;
  /**
   * Points the tool at `endpoint`: writes its config under `home` and returns the environment it
   * needs (HOME and XDG folders included), with telemetry, update checks and other network calls off.
   */
  configure?: (c: PresetContext) => Record<string, string>;
}

/** HOME and the XDG folders inside the scratch home, so a tool reads and writes nothing of the user's. */
export function homeEnv(home: string): Record<string, string> {
  return {
    HOME: home,
    XDG_CONFIG_HOME: `${home}/.config`,
    XDG_DATA_HOME: `${home}/.local/share`,
    XDG_STATE_HOME: `${home}/.local/state`,
    XDG_CACHE_HOME: `${home}/.cache`,
  };
}

import type { Command } from 'commander';

/** The `caid run` flags of the agent runtime: providers, limits, budgets, sandbox, external agents, record/replay. */
export function addRuntimeOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'config file (default: caid.config.yaml|json at the repository root)')
    .option('--provider <name>', 'openai | openrouter | ollama | vllm | llamacpp | lmstudio: default base URL and capabilities')
    .option('--api-key-env <NAME>', 'environment variable holding the API key (default OPENAI_API_KEY, or the provider\'s)')
    .option('--max-concurrent-requests <n>', 'requests in flight to the model endpoint, shared by all workers')
    .option('--task-tokens <n>', 'tokens (input + output) per task, over all its rounds')
    .option('--budget-usd <usd>', 'stop the run once it has cost this much')
    .option('--budget-tokens <n>', 'stop the run once it has used this many tokens')
    .option('--sandbox <kind>', 'none | bwrap: run agent commands under bubblewrap (no network, read-only outside the worktree)')
    .option('--agent-command <cmd>', 'run this external coding agent instead of the built-in one; {promptFile} is replaced by the prompt file')
    .option('--agent <preset>', 'external agent preset: aider | opencode | codex | claude | goose')
    .option('--record <dir>', 'save every model request and reply in DIR')
    .option('--replay <dir>', 'answer model requests from a recording in DIR instead of a server');
}

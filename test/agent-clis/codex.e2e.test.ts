import { describeAgentCli } from './describe-agent-cli.js';

describeAgentCli('codex', { hangTimeoutMin: 0.5 });

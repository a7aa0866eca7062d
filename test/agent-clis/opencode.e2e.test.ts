import { describeAgentCli } from './describe-agent-cli.js';

describeAgentCli('opencode', { hangTimeoutMin: 1.5 });

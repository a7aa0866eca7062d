import { describeAgentCli } from './describe-agent-cli.js';

describeAgentCli('claude', { hangTimeoutMin: 0.5 });

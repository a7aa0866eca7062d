import { describeAgentCli } from './describe-agent-cli.js';

describeAgentCli('pi', { hangTimeoutMin: 0.5 });

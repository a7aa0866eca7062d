import { describeAgentCli } from './describe-agent-cli.js';

describeAgentCli('qwen-code', { hangTimeoutMin: 0.75 });

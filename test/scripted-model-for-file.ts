import { afterAll, beforeAll } from 'vitest';
import { startScriptedModel, type ScriptedModelServer, type ScriptRule } from '@caid/llm/testing';
import { removeTemps } from './cli-harness.js';

export interface FileModel {
  /** The running server (from the file's beforeAll on). */
  readonly server: ScriptedModelServer;
  /** `--model scripted-m --base-url URL`, the flags that point a run at it. */
  flags(): string[];
}

/** The scripted model all tests of a file talk to: started before them; closed, and the temp dirs removed, after. */
export function scriptedModelForFile(rules: ScriptRule[]): FileModel {
  let server: ScriptedModelServer | undefined;
  beforeAll(async () => { server = await startScriptedModel({ rules }); });
  afterAll(async () => {
    await server?.close();
    removeTemps();
  });
  const started = () => {
    if (!server) throw new Error('the scripted model is started in beforeAll');
    return server;
  };
  return { get server() { return started(); }, flags: () => ['--model', 'scripted-m', '--base-url', started().url] };
}

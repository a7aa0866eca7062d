import { existsSync } from 'node:fs';
import path from 'node:path';
import { issueLines, readDataFile } from './read-data-file.js';
import { ConfigSchema, InputError, unknownKeyProblems, type Config } from '@caid/core';

export const CONFIG_FILES = ['caid.config.yaml', 'caid.config.yml', 'caid.config.json'];

/**
 * The repository's `caid.config.yaml|json` (or `file` when given). No file is an empty config;
 * a file that does not parse or fit the schema is an InputError naming every problem.
 */
export function loadConfig(repoDir: string, file?: string): { config: Config; file?: string } {
  const found = file ? path.resolve(file) : CONFIG_FILES.map((f) => path.join(path.resolve(repoDir), f)).find((f) => existsSync(f));
  if (!found) return { config: {} };
  const raw = readDataFile(found, 'config');
  // Unknown keys are named with the closest known one, in place of zod's bare "unrecognized key".
  const unknown = unknownKeyProblems(raw, ConfigSchema);
  const parsed = ConfigSchema.safeParse(raw ?? {});
  if (!parsed.success || unknown.length) {
    const issues = parsed.success ? [] : parsed.error.issues.filter((i) => i.code !== 'unrecognized_keys');
    throw new InputError(`invalid config in ${found}:`, [...issueLines({ issues }), ...unknown]);
  }
  return { config: parsed.data, file: found };
}

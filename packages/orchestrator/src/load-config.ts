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
  const unknown = unknownKeyProblems(raw, ConfigSchema);
  if (unknown.length) throw new InputError(`invalid config in ${found}:`, unknown);
  const parsed = ConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new InputError(`invalid config in ${found}:`, issueLines(parsed.error));
  }
  return { config: parsed.data, file: found };
}

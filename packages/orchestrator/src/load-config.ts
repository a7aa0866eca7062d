import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, InputError, type Config } from '@caid/core';

export const CONFIG_FILES = ['caid.config.yaml', 'caid.config.yml', 'caid.config.json'];

/**
 * The repository's `caid.config.yaml|json` (or `file` when given). No file is an empty config;
 * a file that does not parse or fit the schema is an InputError naming every problem.
 */
export function loadConfig(repoDir: string, file?: string): { config: Config; file?: string } {
  const found = file ? path.resolve(file) : CONFIG_FILES.map((f) => path.join(path.resolve(repoDir), f)).find((f) => existsSync(f));
  if (!found) return { config: {} };
  let text: string;
  try {
    text = readFileSync(found, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read config file ${found}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = found.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new InputError(`config file ${found} is not valid ${found.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = ConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new InputError(`invalid config in ${found}:`, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return { config: parsed.data, file: found };
}

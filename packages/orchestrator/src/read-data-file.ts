import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { InputError } from '@caid/core';

/** A YAML or JSON file's content (by its extension); unreadable or unparsable → InputError naming `kind`. */
export function readDataFile(file: string, kind: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${kind} file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    // yaml's message names the line and column and quotes the offending line: keep all of it.
    const message = (e as Error).message.trimEnd();
    throw new InputError(`${kind} file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${file.endsWith('.json') ? message.split('\n')[0] : message}`);
  }
}

/** zod issues as `path: message` lines for an InputError. */
export const issueLines = (error: { issues: { path: PropertyKey[]; message: string }[] }) => error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);

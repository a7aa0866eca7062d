import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError } from '@caid/core';

/** A YAML or JSON file's content (by its extension); unreadable or unparsable → InputError naming `kind`. */
export function readDataFile(file: string, kind: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // The errno code alone ("ENOENT") is not an answer a new user can act on.
    const why = code === 'ENOENT' ? `there is no such file (looked for ${path.resolve(file)})` : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : code ?? (e as Error).message;
    throw new InputError(`cannot read ${kind} file ${file}: ${why}`);
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

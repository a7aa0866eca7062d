import { call, taskOf } from './caid-cli.mjs';

/**
 * A scripted agent that takes `calls` model calls per task, each answered after `delayMs`: it
 * lists files, writes `src/<task>.js` and (unless `test` is false) `test/<task>.test.js`, then finishes. Tasks touch
 * disjoint files, so runs never conflict and measure orchestration, not conflict rounds.
 */
export function slowAgentRule({ delayMs, calls = 4, test = true }) {
  return {
    name: 'slow-agent',
    when: () => true,
    reply: (c) => {
      const id = taskOf(c);
      const steps = [
        call('write_file', { path: `src/${id}.js`, content: `export const ${id.replace(/-/g, '_')} = () => '${id}';\n` }),
        ...(test ? [call('write_file', { path: `test/${id}.test.js`, content: `import { ${id.replace(/-/g, '_')} } from '../src/${id}.js';\n` })] : []),
      ];
      const script = [...Array(Math.max(0, calls - steps.length - 1)).fill(call('list_files', {})), ...steps, call('finish', { summary: `added ${id}` })];
      return { ...script[Math.min(c.stepInRound, script.length - 1)], delayMs };
    },
  };
}

export const LIBRARY_FILES = {
  'package.json': '{ "name": "lib", "type": "module", "scripts": { "test": "node --test" } }\n',
  'src/index.js': 'export {};\n',
  'README.md': '# lib\n',
};

// Scripted agent behaviour for the demo plan, played by @caid/llm/testing over real HTTP.
// Each rule answers like a small coding agent would: write code, write tests, run them, finish.
import { when } from '@caid/llm/testing';

const call = (name, args) => ({ toolCalls: [{ name, arguments: args }] });
const finish = (summary) => call('finish', { summary });
const test = (name, body) => `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n${body.imports}\n\ntest('${name}', () => {\n${body.asserts.map((a) => `  ${a}`).join('\n')}\n});\n`;
export const INDEX_LAST = "export { reverse } from './reverse.js';\n";

export const SOURCES = {
  words: { file: 'src/words.js', code: 'export function words(text) {\n  return text.match(/[A-Za-z0-9]+/g) ?? [];\n}\n',
    test: test('words', { imports: "import { words } from '../src/words.js';", asserts: ["assert.deepEqual(words('Hello, big world 2!'), ['Hello', 'big', 'world', '2']);", "assert.deepEqual(words('  '), []);"] }) },
  slugify: { file: 'src/slugify.js', code: "import { words } from './words.js';\n\nexport function slugify(text) {\n  return words(text).map((w) => w.toLowerCase()).join('-');\n}\n",
    test: test('slugify', { imports: "import { slugify } from '../src/index.js';", asserts: ["assert.equal(slugify('Hello, Big World'), 'hello-big-world');"] }),
    index: "export { slugify } from './slugify.js';\n" },
  'title-case': { file: 'src/title-case.js', code: "import { words } from './words.js';\n\nexport function titleCase(text) {\n  return words(text).map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join(' ');\n}\n",
    test: test('titleCase', { imports: "import { titleCase } from '../src/index.js';", asserts: ["assert.equal(titleCase('hello, BIG world'), 'Hello Big World');"] }),
    index: "export { titleCase } from './title-case.js';\n" },
  headline: { file: 'src/headline.js', code: "import { slugify } from './slugify.js';\nimport { titleCase } from './title-case.js';\n\nexport function headline(text) {\n  return { title: titleCase(text), slug: slugify(text) };\n}\n",
    test: test('headline', { imports: "import { headline } from '../src/headline.js';", asserts: ["assert.deepEqual(headline('caid ships today'), { title: 'Caid Ships Today', slug: 'caid-ships-today' });"] }) },
  // The first attempt is off by one: verify fails on the integration branch and the task is sent back.
  truncate: { file: 'src/truncate.js', code: "export function truncate(text, max) {\n  return text.length <= max ? text : text.slice(0, max) + '…';\n}\n",
    fixed: "export function truncate(text, max) {\n  return text.length <= max ? text : text.slice(0, max - 1) + '…';\n}\n",
    test: test('truncate', { imports: "import { truncate } from '../src/truncate.js';", asserts: ["assert.equal(truncate('short', 10), 'short');", "assert.equal(truncate('abcdefgh', 5), 'abcd…');", "assert.equal(truncate('abcdefgh', 5).length, 5);"] }) },
  capitalize: { file: 'src/capitalize.js', code: "export function capitalize(text) {\n  return text.charAt(0).toUpperCase() + text.slice(1);\n}\n",
    test: test('capitalize', { imports: "import { capitalize } from '../src/capitalize.js';", asserts: ["assert.equal(capitalize('textkit'), 'Textkit');", "assert.equal(capitalize(''), '');"] }) },
};

/** Keeps both sides of every conflict hunk, ours first: what the engineer is asked to do. */
export function resolveByUnion(text) {
  const out = [];
  let side = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('<<<<<<< ')) side = 'ours';
    else if (line === '=======' && side) side = 'theirs';
    else if (line.startsWith('>>>>>>> ')) side = null;
    else out.push(line);
  }
  return out.join('\n');
}

const conflictPaths = (c) => [...c.lastUser.matchAll(/^- (\S+)$/gm)].map((m) => m[1]);
const taskOf = (c) => /^# Task ([a-z0-9-]+)/m.exec(c.firstUser)?.[1];
const delayFor = { words: 350, slugify: 60, 'title-case': 60, headline: 20 };

function startRound(id, step) {
  const s = SOURCES[id];
  const steps = [
    call('list_files', {}),
    call('write_file', { path: s.file, content: s.code }),
    call('write_file', { path: s.file.replace('src/', 'test/').replace('.js', '.test.js'), content: s.test }),
    ...(s.index ? [call('edit_file', { path: 'src/index.js', old: INDEX_LAST, new: INDEX_LAST + s.index })] : []),
    // The buggy truncate skips its own test run, as a hurried engineer would.
    ...(id === 'truncate' ? [] : [call('run', { command: 'node --test' })]),
    finish(`added ${s.file} with tests`),
  ];
  return steps[Math.min(step, steps.length - 1)];
}

/** The rules, most specific first. */
export function demoRules() {
  return [
    {
      name: 'resolve-conflict',
      when: when.lastUserIncludes('merge conflict'),
      reply: (c) => {
        const [file] = conflictPaths(c);
        if (c.stepInRound === 0) return call('read_file', { path: file });
        if (c.stepInRound === 1) return call('write_file', { path: file, content: resolveByUnion(c.lastToolResult ?? '') });
        if (c.stepInRound === 2) return call('run', { command: 'node --test' });
        return finish(`resolved the conflict in ${file}, keeping both sides`);
      },
    },
    {
      name: 'fix-after-verify',
      when: (c) => c.lastUser.includes('verify command') && taskOf(c) === 'truncate',
      reply: (c) => [
        call('read_file', { path: 'src/truncate.js' }),
        call('write_file', { path: 'src/truncate.js', content: SOURCES.truncate.fixed }),
        call('run', { command: 'node --test' }),
        finish('fixed the off-by-one: the ellipsis counts toward max'),
      ][Math.min(c.stepInRound, 3)],
    },
    {
      name: 'implement',
      when: (c) => Boolean(SOURCES[taskOf(c)]),
      reply: (c) => ({ ...startRound(taskOf(c), c.stepInRound), delayMs: delayFor[taskOf(c)] ?? 0 }),
    },
  ];
}

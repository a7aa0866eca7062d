// The demo's sample repository: "textkit", a tiny ESM string library with a real node:test suite,
// and a 6-task plan with a diamond (words -> slugify, title-case -> headline).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILES = {
  'package.json': `${JSON.stringify({ name: 'textkit', version: '0.1.0', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
  'README.md': '# textkit\n\nSmall string helpers. Run the tests with `npm test`.\n',
  'src/index.js': "export { reverse } from './reverse.js';\n",
  'src/reverse.js': "export function reverse(text) {\n  return [...text].reverse().join('');\n}\n",
  'test/reverse.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { reverse } from '../src/index.js';\n\ntest('reverse', () => {\n  assert.equal(reverse('abc'), 'cba');\n});\n",
};

export const PLAN = {
  goal: 'Grow textkit: word splitting, slugs, title case, headlines, truncation and capitalisation, each with tests.',
  verify: 'node --test',
  tasks: [
    { id: 'words', title: 'Split text into words', files: ['src/words.js', 'test/words.test.js'],
      prompt: 'Create src/words.js exporting words(text): the runs of letters and digits in text, in order, case kept. Add test/words.test.js with node:test.' },
    { id: 'slugify', title: 'URL slugs', dependsOn: ['words'], files: ['src/slugify.js', 'test/slugify.test.js', 'src/index.js'],
      prompt: 'Create src/slugify.js exporting slugify(text): the lower-cased words of text (use words from src/words.js) joined by "-". Export it from src/index.js. Add test/slugify.test.js.' },
    { id: 'title-case', title: 'Title case', dependsOn: ['words'], files: ['src/title-case.js', 'test/title-case.test.js', 'src/index.js'],
      prompt: 'Create src/title-case.js exporting titleCase(text): the words of text (use words from src/words.js), each capitalised, joined by single spaces. Export it from src/index.js. Add test/title-case.test.js.' },
    { id: 'headline', title: 'Headline = title + slug', dependsOn: ['slugify', 'title-case'], files: ['src/headline.js', 'test/headline.test.js'],
      prompt: 'Create src/headline.js exporting headline(text) returning { title: titleCase(text), slug: slugify(text) }, using the existing modules. Add test/headline.test.js.' },
    { id: 'truncate', title: 'Truncate with ellipsis', files: ['src/truncate.js', 'test/truncate.test.js'],
      prompt: 'Create src/truncate.js exporting truncate(text, max): text unchanged when it has at most max characters, else its first max-1 characters followed by "…" (so the result has exactly max characters). Add test/truncate.test.js.' },
    { id: 'capitalize', title: 'Capitalise', files: ['src/capitalize.js', 'test/capitalize.test.js'],
      prompt: 'Create src/capitalize.js exporting capitalize(text): text with its first character upper-cased. Add test/capitalize.test.js.' },
  ],
};

const git = (cwd, ...args) => execFileSync('git', args, { cwd, stdio: 'pipe', env: { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp' } }).toString();

/** Writes the sample repository (one commit on main) and its plan file into `dir`. */
export function createSampleLibrary(dir) {
  const repo = path.join(dir, 'textkit');
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), text);
  }
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=Sample Author', '-c', 'user.email=author@example.com', 'commit', '-q', '-m', 'textkit: reverse');
  const planFile = path.join(dir, 'textkit-plan.json');
  writeFileSync(planFile, `${JSON.stringify(PLAN, null, 2)}\n`);
  return { repo, planFile };
}

import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, jsSpecifiers, pyImports } from './import-graph.js';

const graphOf = (files: Record<string, string>) => importGraph(Object.keys(files), (f) => files[f]!);

describe('import graph of a small TypeScript repository', () => {
  const repo = {
    'src/index.ts': "export * from './words.js';\nexport { slugify } from './slugify';\nimport type { X } from 'zod';\n",
    'src/words.ts': "import { clean } from './text/clean.js'\n// import { nope } from './commented'\n/* import './also-commented' */\n",
    'src/slugify.ts': "import {\n  words,\n} from './words.js';\nconst lazy = await import('./lazy.mjs');\n",
    'src/lazy.mjs': "const { a } = require('./cjs/a.cjs');\n",
    'src/cjs/a.cjs': "require('../text')\n",
    'src/text/clean.ts': "import './side-effect.js';\nimport { words } from '../words.js';\n",
    'src/text/side-effect.js': '',
    'src/text/index.ts': '',
    'src/commented.ts': '',
    'README.md': "import x from './src/index.ts'",
  };
  const g = graphOf(repo);

  it('resolves relative imports, export-from, require and import() to repository files (.js -> .ts, folders -> index)', () => {
    expect(g.get('src/index.ts')).toEqual(['src/slugify.ts', 'src/words.ts']);
    expect(g.get('src/words.ts')).toEqual(['src/text/clean.ts']);
    expect(g.get('src/slugify.ts')).toEqual(['src/lazy.mjs', 'src/words.ts']);
    expect(g.get('src/lazy.mjs')).toEqual(['src/cjs/a.cjs']);
    expect(g.get('src/cjs/a.cjs')).toEqual(['src/text/index.ts']);
    expect(g.get('src/text/clean.ts')).toEqual(['src/text/side-effect.js', 'src/words.ts']);
  });

  it('ignores packages, comments and non-code files', () => {
    expect([...g.values()].flat()).not.toContain('src/commented.ts');
    expect(g.has('README.md')).toBe(false);
    expect(jsSpecifiers("import a from 'zod'; import b from \"./b\"")).toEqual(['zod', './b']);
  });

  it('names files that import each other in a cycle', () => {
    expect(importCycles(g)).toEqual([['src/text/clean.ts', 'src/words.ts']]);
  });
});

describe('import graph of a small Python repository', () => {
  const repo = {
    'src/shop/__init__.py': 'from .cart import Cart\n',
    'src/shop/cart.py': 'import os, json\nfrom shop.prices import price as p\nfrom . import tax\n',
    'src/shop/prices.py': '"""docstring: import shop.cart"""\nfrom shop.util import (\n    rounding,\n    money,\n)\n',
    'src/shop/tax.py': '# from shop import cart\nfrom ..shop import prices\n',
    'src/shop/util/__init__.py': '',
    'src/shop/util/rounding.py': 'import shop.cart\n',
    'tests/test_cart.py': 'import shop.cart as c\nfrom shop.util.rounding import half_up\n',
  };
  const g = graphOf(repo);

  it('resolves absolute (src layout), relative and submodule imports, skipping the standard library', () => {
    expect(g.get('src/shop/__init__.py')).toEqual(['src/shop/cart.py']);
    expect(g.get('src/shop/cart.py')).toEqual(['src/shop/prices.py', 'src/shop/tax.py']);
    expect(g.get('src/shop/prices.py')).toEqual(['src/shop/util/__init__.py', 'src/shop/util/rounding.py']);
    // `from ..shop import prices` runs the package's __init__ too
    expect(g.get('src/shop/tax.py')).toEqual(['src/shop/__init__.py', 'src/shop/prices.py']);
    expect(g.get('tests/test_cart.py')).toEqual(['src/shop/cart.py', 'src/shop/util/rounding.py']);
  });

  it('reads import statements without docstrings or comments', () => {
    expect(pyImports('import a.b as c, d\nfrom .. import x, y as z\n')).toEqual([
      { level: 0, module: 'a.b', names: [] }, { level: 0, module: 'd', names: [] }, { level: 2, module: '', names: ['x', 'y'] },
    ]);
  });

  it('finds the package cycle (cart -> prices -> rounding -> cart, cart -> tax -> __init__ -> cart)', () => {
    expect(importCycles(g)).toEqual([['src/shop/__init__.py', 'src/shop/cart.py', 'src/shop/prices.py', 'src/shop/tax.py', 'src/shop/util/rounding.py']]);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoContext } from './repo-context.js';

const dirs: string[] = [];
function repoWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-ctx-'));
  dirs.push(dir);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('repoContext', () => {
  it('a Python project: manifest, pytest command, test layout, import graph and cycles; ignored files left out', () => {
    const dir = repoWith({
      'pyproject.toml': '[project]\nname = "shop"\n[project.optional-dependencies]\ntest = ["pytest"]\n',
      '.gitignore': 'build/\n',
      'build/junk.py': 'import shop.cart\n',
      'shop/__init__.py': '',
      'shop/cart.py': 'from shop.prices import price\n',
      'shop/prices.py': 'from shop import cart\n',
      'tests/test_cart.py': 'from shop.cart import Cart\n',
    });
    const ctx = repoContext(dir);
    expect(ctx.files).not.toContain('build/junk.py');
    expect(ctx.testCommand).toBe('python -m pytest');
    expect(ctx.tests).toEqual(['tests/test_cart.py']);
    expect(ctx.cycles).toEqual([['shop/cart.py', 'shop/prices.py']]);
    expect(ctx.text).toContain('## pyproject.toml');
    expect(ctx.text).toContain('tests/test_cart.py -> shop/cart.py');
    expect(ctx.text).toContain('Files that import each other in a cycle (keep each group in one task):\n- shop/cart.py, shop/prices.py');
  });

  it('a large tree is trimmed to shallow files plus counts per folder; --verify wins over detection', () => {
    const files: Record<string, string> = { 'package.json': '{"scripts":{"test":"vitest"}}' };
    for (let i = 0; i < 300; i++) files[`src/deep/mod${i}/index.ts`] = '';
    const ctx = repoContext(repoWith(files), { verify: 'make check' });
    expect(ctx.testCommand).toBe('make check');
    expect(ctx.text).toContain('(301 files; showing those at depth <= 2; files per top folder:)\nsrc/: 300 files');
    expect(ctx.text).not.toContain('src/deep/mod7/index.ts');
  });
});

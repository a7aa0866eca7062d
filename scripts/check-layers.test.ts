import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs helper without types
import { layerViolations } from './check-layers-lib.mjs';
// @ts-expect-error plain .mjs helper without types
import { LAYERS, EXCLUSIVE } from './layers.mjs';

const dirs: string[] = [];
function fixture(pkgs: Record<string, { deps?: string[]; src: string }>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'caid-layers-'));
  dirs.push(root);
  for (const [name, p] of Object.entries(pkgs)) {
    const dir = path.join(root, 'packages', name.replace('@caid/', ''));
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, dependencies: Object.fromEntries((p.deps ?? []).map((d) => [d, '0.1.0'])) }));
    writeFileSync(path.join(dir, 'src', 'index.ts'), p.src);
  }
  return root;
}
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('layer check', () => {
  it('passes on the real repository', () => {
    expect(layerViolations(path.resolve(__dirname, '..'), LAYERS, EXCLUSIVE)).toEqual([]);
  });

  it('accepts imports that go down the table', () => {
    const root = fixture({
      '@caid/core': { src: "export const a = 1;" },
      '@caid/agent': { deps: ['@caid/core'], src: "import { a } from '@caid/core';\nexport const b = a;" },
    });
    expect(layerViolations(root, LAYERS, EXCLUSIVE)).toEqual([]);
  });

  it('fails on an import up the table, in source or in package.json', () => {
    const root = fixture({
      '@caid/core': { deps: ['@caid/agent'], src: "import { runAgent } from '@caid/agent';\nexport { runAgent };" },
      '@caid/agent': { src: 'export const runAgent = 1;' },
    });
    const problems = layerViolations(root, LAYERS, EXCLUSIVE);
    expect(problems.some((p: string) => p.includes('packages/core/src/index.ts') && p.includes('@caid/agent (layer 2)'))).toBe(true);
    expect(problems.some((p: string) => p.includes('packages/core/package.json'))).toBe(true);
  });

  it('fails on a sideways import between packages of one layer and on dynamic imports', () => {
    const root = fixture({
      '@caid/scheduler': { src: "export const s = () => import('@caid/agent');" },
      '@caid/agent': { src: 'export const x = 1;' },
    });
    expect(layerViolations(root, LAYERS, EXCLUSIVE)).toEqual([
      expect.stringContaining('@caid/scheduler (layer 2) imports @caid/agent (layer 2)'),
    ]);
  });

  it('fails when a package other than queue-bullmq imports bullmq', () => {
    const root = fixture({ '@caid/worker': { src: "import { Queue } from 'bullmq';\nexport { Queue };" } });
    expect(layerViolations(root, LAYERS, EXCLUSIVE)[0]).toContain('only @caid/queue-bullmq may import');
  });
});

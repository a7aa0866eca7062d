import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';

const IMPORT = /(?:^|[^\w.])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function* sourceFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) yield* sourceFiles(abs);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(e.name) && !/\.test\.(ts|tsx|mts|js|mjs)$/.test(e.name)) yield abs;
  }
}

/** Every import (in sources and package.json dependencies) that goes up or sideways in the table. */
export function layerViolations(root, layers, exclusive = {}) {
  const problems = [];
  for (const group of ['packages', 'apps']) {
    const base = path.join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const dir = path.join(base, name);
      const pkgFile = path.join(dir, 'package.json');
      if (!existsSync(pkgFile)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
      const own = layers[pkg.name];
      if (own === undefined) { problems.push(`${pkg.name} (${group}/${name}) is not in the layer table`); continue; }
      const check = (target, where) => {
        const spec = target.startsWith('@') ? target.split('/').slice(0, 2).join('/') : target.split('/')[0];
        if (spec in exclusive && !exclusive[spec].includes(pkg.name)) problems.push(`${where}: ${pkg.name} imports ${spec}, which only ${exclusive[spec].join(', ')} may import`);
        if (!spec.startsWith('@caid/') || spec === pkg.name) return;
        const other = layers[spec];
        if (other === undefined) problems.push(`${where}: ${pkg.name} imports ${spec}, which is not in the layer table`);
        else if (other >= own) problems.push(`${where}: ${pkg.name} (layer ${own}) imports ${spec} (layer ${other}); imports must go down the table`);
      };
      // A bundled package (the CLI tarball) declares the libraries its bundle leaves external for the
      // lower package that imports them; its own sources are still checked below.
      const shipped = new Set(pkg.caid?.bundleExternals ?? []);
      for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) if (!shipped.has(dep)) check(dep, path.relative(root, pkgFile));
      const src = path.join(dir, 'src');
      if (!existsSync(src) || !statSync(src).isDirectory()) continue;
      for (const file of sourceFiles(src)) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(IMPORT)) check(m[1] ?? m[2] ?? m[3], path.relative(root, file));
      }
    }
  }
  return problems;
}

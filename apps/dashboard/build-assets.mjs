// Builds the page into dist/public (run by `npm run build`): one ESM bundle plus the static files.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const out = 'dist/public';
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/assets`, { recursive: true });
await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  outfile: `${out}/assets/app.js`,
  logLevel: 'warning',
});
cpSync('public/index.html', `${out}/index.html`);
cpSync('public/style.css', `${out}/assets/style.css`);

// Bundles the built CLI (dist/) into bundle/ (run by `npm run build`). Loading one bundle instead of
// several hundred ES modules takes ~0.35 s less per `caid` command on a 2-core machine (bench/RESULTS.md),
// which every run, status and worker start pays. Code splitting keeps the commands' lazy imports lazy
// (distributed runs load BullMQ only when asked for).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const out = 'bundle';
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: ['dist/main.js'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: out,
  // BullMQ reads its Lua scripts and ioredis its commands at run time: they stay ordinary packages.
  external: ['bullmq', 'ioredis'],
  // CommonJS dependencies call require() for Node's own modules.
  banner: { js: "import { createRequire as __caidRequire } from 'node:module'; const require = __caidRequire(import.meta.url);" },
  logLevel: 'warning',
});

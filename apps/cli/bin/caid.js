#!/usr/bin/env node
// Committed (not built) so npm can link the `caid` bin at install time, before `npm run build`.
try {
  await import('../bundle/main.js');
} catch (e) {
  if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('bundle/main.js')) {
    process.stderr.write('caid: not built yet; run `npm run build` in the caid repository first\n');
    process.exit(2);
  }
  throw e;
}

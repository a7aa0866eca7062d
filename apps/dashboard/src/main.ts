import { runList } from './run-list.js';
import { runPage } from './run-page.js';

// Two pages, one bundle: `/` lists runs, `/runs/<runId>` follows one.
const root = document.getElementById('app')!;
const m = /^\/runs\/([^/]+)\/?$/.exec(location.pathname);
if (m) runPage(root, decodeURIComponent(m[1]!));
else {
  // New runs appear without a reload.
  void runList(root);
  setInterval(() => { if (document.visibilityState === 'visible') void runList(root); }, 3000);
}

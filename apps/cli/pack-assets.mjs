// Run by `npm pack` (prepack): the tarball carries the built bundle and the dashboard's page, so
// `npm install -g ./caid-<version>.tgz` needs nothing from this repository. The bundle already holds
// every @caid package and library except BullMQ and ioredis, which read files of their own at run
// time and are the package's declared dependencies.
import { cpSync, existsSync, rmSync } from 'node:fs';

for (const need of ['bundle/main.js', '../dashboard/dist/public/index.html']) {
  if (!existsSync(need)) {
    process.stderr.write(`pack: ${need} is missing: run \`npm run build\` at the repository root first\n`);
    process.exit(1);
  }
}
rmSync('bundle/dashboard', { recursive: true, force: true });
cpSync('../dashboard/dist/public', 'bundle/dashboard', { recursive: true });

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { InputError } from '@caid/core';

export interface Asset { body: Buffer; gzip: Buffer; type: string }

/**
 * The page's built files, read once into memory. They are data the dashboard app builds into
 * apps/dashboard/dist/public during `npm run build` (the CLI does not import that package: both
 * sit on the top layer). Only these names are ever served, so no request path reaches the disk.
 */
export function loadDashboardAssets(dir = defaultDir()): Map<string, Asset> {
  const files: [string, string, string][] = [
    ['/', 'index.html', 'text/html; charset=utf-8'],
    ['/assets/app.js', 'assets/app.js', 'text/javascript; charset=utf-8'],
    ['/assets/style.css', 'assets/style.css', 'text/css; charset=utf-8'],
  ];
  const assets = new Map<string, Asset>();
  for (const [route, file, type] of files) {
    const abs = `${dir}/${file}`;
    if (!existsSync(abs)) throw new InputError(`the dashboard is not built (${abs} is missing): run \`npm run build\` in the caid repository`);
    const body = readFileSync(abs);
    assets.set(route, { body, gzip: gzipSync(body), type });
  }
  return assets;
}

/** The installed package's copy beside the bundle (made by `npm pack`), else the checkout's built page. */
function defaultDir(): string {
  const packed = fileURLToPath(new URL('./dashboard/', import.meta.url));
  return existsSync(`${packed}/index.html`) ? packed : fileURLToPath(new URL('../../dashboard/dist/public/', import.meta.url));
}

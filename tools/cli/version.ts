import { readFileSync } from 'node:fs';

// The package version, read once from package.json beside dist/ (no build-time stamping).
function readVersion(): string {
  const url = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

export const VERSION = readVersion();

// The versions of recomp and of the packages whose versions decide its output bytes.
// Unbundled (dist/ beside node_modules/) they are read from the package.json files; the
// single-file bundle the Bazel toolchain runs (scripts/bundle.mjs) has them written in at
// bundle time, since no package.json travels with it.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageVersions {
  recomp: string;
  binaryen: string;
  capstone: string;
}

// replaced by literals when bundling (esbuild --define)
declare const RECOMP_BUNDLED_VERSIONS: PackageVersions | undefined;
declare const RECOMP_BUNDLED_CODE_HASH: string | undefined;

function readVersion(rel: string): string {
  const url = new URL(`../../../${rel}`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

let versions: PackageVersions | undefined;

export function packageVersions(): PackageVersions {
  if (versions) return versions;
  versions =
    typeof RECOMP_BUNDLED_VERSIONS !== 'undefined'
      ? RECOMP_BUNDLED_VERSIONS
      : {
          recomp: readVersion('package.json'),
          binaryen: readVersion('node_modules/binaryen/package.json'),
          capstone: readVersion('node_modules/capstone-wasm/package.json'),
        };
  return versions;
}

let code: string | undefined;

/**
 * A hash of recomp's own compiled code (every .js file under dist/tools, by path and bytes)
 * and the package versions: what identifies a build beyond its version number, which stays
 * the same across commits. recomp exec keys its cache of translations on it, so a rebuilt
 * recomp never runs a module an older build translated. The bundle has the hash of the
 * dist/tools it was built beside written in (scripts/bundle.mjs).
 */
export function codeHash(): string {
  if (code) return code;
  if (typeof RECOMP_BUNDLED_CODE_HASH !== 'undefined') return (code = RECOMP_BUNDLED_CODE_HASH);
  const tools = fileURLToPath(new URL('..', import.meta.url));
  const h = createHash('sha256').update(JSON.stringify(packageVersions()));
  const files = (readdirSync(tools, { recursive: true }) as string[]).filter((n) => n.endsWith('.js')).sort();
  for (const rel of files) h.update(`\0${rel}\0`).update(readFileSync(join(tools, rel)));
  return (code = h.digest('hex'));
}

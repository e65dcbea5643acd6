// The versions of recomp and of the packages whose versions decide its output bytes.
// Unbundled (dist/ beside node_modules/) they are read from the package.json files; the
// single-file bundle the Bazel toolchain runs (scripts/bundle.mjs) has them written in at
// bundle time, since no package.json travels with it.
import { readFileSync } from 'node:fs';

export interface PackageVersions {
  recomp: string;
  binaryen: string;
  capstone: string;
}

// replaced by a literal object when bundling (esbuild --define)
declare const RECOMP_BUNDLED_VERSIONS: PackageVersions | undefined;

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

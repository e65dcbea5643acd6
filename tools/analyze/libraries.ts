// Finds the shared libraries a dynamic executable needs, inside the file system it came
// from (an image, a root file system, or the host for a lone file), the way ld.so would:
// DT_RPATH (when no DT_RUNPATH), DT_RUNPATH, then the default directories of the arch.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { readElf, type Elf } from '../elf/index.js';

/** Reads a file of the analysed file system by absolute path; undefined when absent. */
export type ReadFile = (path: string) => Promise<Uint8Array | undefined>;

/** soname → parsed library, or undefined when it is not in the file system. */
export type LibraryResolver = (soname: string) => Elf | undefined;

const DEFAULT_DIRS: Record<string, string[]> = {
  x86_64: ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib'],
  aarch64: ['/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib'],
};

function searchDirs(elf: Elf, origin: string): string[] {
  const dyn = elf.dynamic();
  const expand = (list: string | undefined) =>
    (list ?? '')
      .split(':')
      .filter(Boolean)
      .map((d) => d.replace(/\$(ORIGIN|\{ORIGIN\})/g, origin));
  const rpath = dyn.runpath ? [] : expand(dyn.rpath);
  return [...rpath, ...expand(dyn.runpath), ...(DEFAULT_DIRS[elf.arch ?? 'x86_64'] ?? [])];
}

const ids = new WeakMap<Elf, string>();

/** sha1 of a file's bytes, once per buffer (a reader hands out one buffer per file, whatever the path) */
const digests = new WeakMap<Uint8Array, string>();
function digestOf(bytes: Uint8Array): string {
  let d = digests.get(bytes);
  if (d === undefined) digests.set(bytes, (d = createHash('sha1').update(bytes).digest('hex')));
  return d;
}

/** A loaded library's name for summaries: the digest of its bytes. */
export function libraryId(lib: Elf): string {
  const id = ids.get(lib);
  if (id === undefined) throw new Error('libraryId: not a library loaded by loadLibraries');
  return id;
}

/**
 * Loads the transitive closure of an executable's DT_NEEDED libraries (and its
 * interpreter) and returns a resolver over them. Libraries are parsed once per `cache`,
 * which callers share across the executables of one file system.
 */
export async function loadLibraries(
  elf: Elf,
  path: string,
  read: ReadFile,
  cache: Map<string, Elf | null>,
): Promise<{ resolve: LibraryResolver; loaded: [string, Elf][]; missing: string[] }> {
  const found = new Map<string, Elf>();
  const missing: string[] = [];
  const load = async (file: string): Promise<Elf | undefined> => {
    const hit = cache.get(file);
    if (hit !== undefined) return hit ?? undefined;
    const bytes = await read(file);
    let lib: Elf | null = null;
    // the same library reached by another path (/lib → /usr/lib, hard links) is parsed and
    // analysed once: the cache also holds each library under the digest of its bytes
    const same = bytes && `#${digestOf(bytes)}`;
    const known = same ? cache.get(same) : undefined;
    if (known !== undefined) {
      const usable = known && known.arch === elf.arch ? known : null;
      if (usable && same) ids.set(usable, same.slice(1));
      cache.set(file, usable);
      return usable ?? undefined;
    }
    if (bytes) {
      try {
        lib = readElf(bytes);
        if (lib.arch !== elf.arch) lib = null; // a library of another arch is skipped, as ld.so does
      } catch {
        lib = null; // corrupt library: treated as absent (the analysis says which one is missing)
      }
    }
    cache.set(file, lib);
    if (same) cache.set(same, lib);
    if (lib && same) ids.set(lib, same.slice(1));
    return lib ?? undefined;
  };
  const queue: [Elf, string][] = [[elf, path]];
  while (queue.length) {
    const [obj, objPath] = queue.shift()!;
    for (const soname of obj.dynamic().needed) {
      if (found.has(soname) || missing.includes(soname)) continue;
      let lib: Elf | undefined;
      const candidates = soname.includes('/')
        ? [posix.resolve(posix.dirname(objPath), soname)]
        : searchDirs(obj, posix.dirname(objPath)).map((d) => posix.join(d, soname));
      for (const c of candidates) {
        lib = await load(c);
        if (lib) {
          queue.push([lib, c]);
          break;
        }
      }
      if (lib) found.set(soname, lib);
      else missing.push(soname);
    }
  }
  // the interpreter (ld.so) runs in the process too, before and beside the program
  if (elf.interpreter && !found.has(elf.interpreter)) {
    const interp = await load(elf.interpreter);
    if (interp) found.set(elf.interpreter, interp);
    else missing.push(elf.interpreter);
  }
  return { resolve: (soname) => found.get(soname), loaded: [...found.entries()], missing };
}

// The vkernel: runs a translated module under Node with Linux semantics.
import { GuestExit } from './errors.js';
import { Process, type ImageMeta, type RunOptions, type RunResult } from './process.js';

export type { RunOptions, RunResult } from './process.js';
export type { Grant } from './files.js';

export class ModuleError extends Error {}

/** compiles a module and reads the image description the translator left in it */
export async function loadModule(bytes: Uint8Array): Promise<{ module: WebAssembly.Module; meta: ImageMeta }> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new ModuleError(`not a valid WebAssembly module: ${(e as Error).message}`);
  }
  return { module, meta: imageMetaOf(module) };
}

/** the image description the translator left in a compiled module */
export function imageMetaOf(module: WebAssembly.Module): ImageMeta {
  const sections = WebAssembly.Module.customSections(module, 'recomp.image');
  if (sections.length !== 1) throw new ModuleError('not a recomp module (no recomp.image section): translate the ELF with `recomp translate` first');
  let meta: ImageMeta;
  try {
    meta = JSON.parse(new TextDecoder().decode(sections[0])) as ImageMeta;
  } catch {
    throw new ModuleError('the recomp.image section is not valid JSON');
  }
  if (meta.format !== 'recomp.image/v1') throw new ModuleError(`unknown image format ${String(meta.format)} (this recomp reads recomp.image/v1)`);
  return meta;
}

export async function runModule(bytes: Uint8Array, opts: RunOptions): Promise<RunResult> {
  const { module, meta } = await loadModule(bytes);
  return new Process(meta, opts).run(module);
}

export { GuestExit };

#!/usr/bin/env node
// Writes the JSON Schema files of recomp's formats from their zod schemas (run after
// changing one; tests/manifest.test.ts fails while a committed file is stale).
import { writeFileSync } from 'node:fs';
import { schemaFiles } from '../dist/tools/manifest/schemas.js';

for (const [path, schema] of Object.entries(schemaFiles())) {
  writeFileSync(new URL(`../${path}`, import.meta.url), JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote ${path}`);
}

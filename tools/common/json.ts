// JSON read against a zod schema, with errors that name the file and the field, in the
// error class of the caller's component.
import type { z } from 'zod';

export function parseJsonAs<T>(schema: z.ZodType<T>, text: string, what: string, error: new (m: string) => Error): T {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new error(`${what}: not valid JSON (${(e as Error).message})`);
  }
  const r = schema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new error(`${what}: ${i.path.length ? `field ${i.path.join('.')}: ` : ''}${i.message}`);
  }
  return r.data;
}

/** JSON with object keys sorted at every level: equal values give equal text */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

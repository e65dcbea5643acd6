// The string instructions the translator hands to the vkernel's `string` helper (the
// general path: rep prefixes with a direction flag or overlap the inline fast paths do not
// take), by index. Kept apart from the lifter so that the vkernel loads without it.
export const STRING_KINDS = ['movs', 'stos', 'lods', 'cmps', 'scas'] as const;

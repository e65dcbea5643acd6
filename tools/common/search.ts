// Binary search over arrays sorted by an address.

/** index of the last item whose key is at or before `a`, or -1 */
export function lastAtOrBefore<T>(items: readonly T[], key: (t: T) => number, a: number): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]) <= a) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi;
}

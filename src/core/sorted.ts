/**
 * Searching sorted numbers.
 */

/** The first index of ascending `values` whose value is at least `target` (binary search). */
export function firstAtOrAfter(values: ArrayLike<number>, target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((values[mid] as number) < target) low = mid + 1;
    else high = mid;
  }
  return low;
}

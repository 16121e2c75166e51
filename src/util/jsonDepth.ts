/**
 * Whether a parsed JSON value nests arrays and objects deeper than `max` levels. Iterative on
 * purpose: the schema checks, canonical JSON and logging that follow all recurse, and a value a
 * few thousand levels deep overflows their stack (a RangeError, which would read as an internal
 * fault instead of a refusal of the input).
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.value === null || typeof item.value !== 'object') continue;
    const depth = item.depth + 1;
    if (depth > max) return true;
    const children = Array.isArray(item.value) ? (item.value as unknown[]) : Object.values(item.value);
    for (const child of children) stack.push({ value: child, depth });
  }
  return false;
}

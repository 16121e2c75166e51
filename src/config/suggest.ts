/**
 * The known key a misspelt one most likely meant: a case-only difference first (baudrate →
 * baudRate), then the nearest by edit distance if it is close enough to be a typo rather than a
 * different word. Undefined when nothing is close, so no misleading hint is printed.
 */
export function closestKey(typed: string, known: readonly string[]): string | undefined {
  const caseOnly = known.find((key) => key.toLowerCase() === typed.toLowerCase());
  if (caseOnly !== undefined) return caseOnly;
  const tolerance = Math.min(2, Math.floor(typed.length / 3));
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(typed.toLowerCase(), key.toLowerCase());
    if (distance <= tolerance && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

/** Levenshtein distance with one rolling row. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

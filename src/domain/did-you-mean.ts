/** Suggestions for likely typos in ids, field names and file names. */

/**
 * Edit distance where swapping two neighbours counts as one edit (optimal string alignment), since
 * `sedna` for `sedan` is the commonest slip. Inputs are short names, so the quadratic table is fine.
 */
function editDistance(a: string, b: string): number {
  // distance[i * width + j]: between the first i characters of a and the first j of b.
  const width = b.length + 1;
  const distance = new Array<number>((a.length + 1) * width).fill(0);
  const at = (i: number, j: number) => distance[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) distance[i * width] = i;
  for (let j = 0; j <= b.length; j++) distance[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      distance[i * width + j] = Math.min(
        at(i - 1, j) + 1,
        at(i, j - 1) + 1,
        substitution,
        swapped ? at(i - 2, j - 2) + 1 : Number.POSITIVE_INFINITY,
      );
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate nearest to `word`, when it is near enough to be a typo of it (about one edit in three
 * characters). Case is ignored so `@Maya` still points at `@maya`.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const budget = Math.max(1, Math.floor(word.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= budget && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** `did you mean "maya"? ` or nothing, to prefix a hint. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : `did you mean "${match}"? `;
}

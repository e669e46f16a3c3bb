/** Every repeat of a value already seen earlier in the list; missing values are never repeats. */
export function repeats<T>(values: ReadonlyArray<T | undefined>): Array<{ index: number; first: number; value: T }> {
  const firstSeen = new Map<T, number>();
  return values.flatMap((value, index) => {
    if (value === undefined) return [];
    const first = firstSeen.get(value);
    if (first === undefined) {
      firstSeen.set(value, index);
      return [];
    }
    return [{ index, first, value }];
  });
}

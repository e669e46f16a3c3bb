import Table from 'cli-table3';

/** A terminal table; plain (no colour codes) when the output is not a terminal. */
export function newTable(head: string[], options: { lastColumnWidth?: number } = {}): Table.Table {
  const plain = !process.stdout.isTTY;
  return new Table({
    head,
    ...(plain ? { style: { head: [], border: [] } } : {}),
    ...(options.lastColumnWidth ? { wordWrap: true, colWidths: [...head.slice(1).map(() => null), options.lastColumnWidth] as unknown as number[] } : {}),
  });
}

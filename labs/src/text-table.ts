/** Renders rows as a plain-text table for the terminal: columns padded to their widest cell. */
export function table(rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((row) => row.map(String));
  const widths = cells[0]!.map((_, col) => Math.max(...cells.map((row) => row[col]?.length ?? 0)));
  return cells
    .map((row) =>
      row
        .map((cell, col) => cell.padEnd(widths[col]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

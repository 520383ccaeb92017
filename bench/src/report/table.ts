export type Align = 'left' | 'right';

/** One column of a table declared as data: its header, its alignment, and its cell of a row. */
export interface Column<Row> {
  readonly header: string;
  readonly align: Align;
  readonly cell: (row: Row) => string;
}

/** A left-aligned column (names, lists, prose). */
export function text<Row>(header: string, cell: (row: Row) => string): Column<Row> {
  return { header, align: 'left', cell };
}

/** A right-aligned column (figures). */
export function figure<Row>(header: string, cell: (row: Row) => string): Column<Row> {
  return { header, align: 'right', cell };
}

/**
 * The one table renderer of the bench's reports: a Markdown table with a row per item and a cell
 * per column, laid out the way Prettier prints one (columns padded to their widest cell, figures
 * right-aligned), so the generated report passes `prettier --check` unchanged.
 */
export function render<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const body = rows.map((row) => columns.map((column) => column.cell(row)));
  const widths = columns.map((column, i) =>
    Math.max(3, width(column.header), ...body.map((cells) => width(cells[i]!))),
  );
  const right = (i: number) => columns[i]!.align === 'right';
  const line = (cells: readonly string[]) =>
    `| ${cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - width(cell));
        return right(i) ? pad + cell : cell + pad;
      })
      .join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (right(i) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(columns.map((column) => column.header)), rule, ...body.map(line)].join('\n');
}

/** Display width: code points (the report uses no wide characters in tables). */
function width(text: string): number {
  return [...text].length;
}

/** 1234.5 → "1,235"; NaN → "n/a". */
export function int(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en') : 'n/a';
}

/** Fixed decimals; NaN → "n/a". */
export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** 0.873 → "87.3%". */
export function percent(ratio: number, digits = 1): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(digits)}%` : 'n/a';
}

/** 1.52 → "1.52x". */
export function times(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a';
}

/** Bytes as "312 B", "1.5 MiB". */
export function bytes(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) < 10_240) return `${Math.round(value)} B`;
  if (Math.abs(value) < 10 * 2 ** 20) return `${(value / 1024).toFixed(1)} KiB`;
  return `${(value / 2 ** 20).toFixed(1)} MiB`;
}

/** 12.3 → "+12", -4 → "-4"; NaN → "n/a". */
export function signed(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

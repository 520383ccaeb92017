export type Align = 'left' | 'right';

/**
 * A Markdown table laid out the way Prettier prints one (columns padded to their widest cell,
 * numbers right-aligned), so the generated report passes `prettier --check` unchanged.
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly Align[],
): string {
  const aligns = headers.map((_, i) => align?.[i] ?? 'left');
  const widths = headers.map((h, i) =>
    Math.max(3, width(h), ...rows.map((r) => width(r[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells
      .map((cell, i) => {
        const pad = ' '.repeat((widths[i] as number) - width(cell));
        return aligns[i] === 'right' ? pad + cell : cell + pad;
      })
      .join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (aligns[i] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...rows.map((r) => line(headers.map((_, i) => r[i] ?? '')))].join(
    '\n',
  );
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

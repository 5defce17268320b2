/** How modules print: `toString` and `extraRepr` helpers. */
export function quote(key: string): string {
  return `'${key}'`;
}

/** Indents every line but the first (the child's header follows its `(name): ` label). */
export function indentTail(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : pad + line))
    .join('\n');
}

/** Formats a number for `extraRepr`: small magnitudes in exponent form (`1e-5`), others plainly. */
export function formatNumber(value: number): string {
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential();
  return String(value);
}

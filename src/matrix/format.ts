/** How reports write sizes and observation values. */
const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** Bytes in the largest binary unit that keeps the number readable: `1 GiB`, `3.0 MiB`, `0 B`. */
export function sizeText(bytes: number): string {
  const abs = Math.abs(bytes);
  const fixed = (n: number, unit: string) => `${Number.isInteger(n) ? n : n.toFixed(1)} ${unit}`;
  if (abs >= GiB) return fixed(bytes / GiB, 'GiB');
  if (abs >= MiB) return fixed(bytes / MiB, 'MiB');
  if (abs >= KiB) return fixed(bytes / KiB, 'KiB');
  return `${bytes} B`;
}

/** An observation as reports show it: plugged sizes (bytes) in units, everything else as recorded. */
export function observationText(name: string, value: string | undefined): string {
  if (value === undefined) return '–';
  if (name.endsWith('.plugged') && /^\d+$/.test(value)) return sizeText(Number(value));
  return value;
}

// Number formatting and small statistics for the benchmark report.

const GB = new Intl.NumberFormat('en-GB');

/** 22800000 → '22,800,000'. */
export function int(n) {
  return GB.format(Math.round(n));
}

export function fixed(n, digits) {
  return n.toFixed(digits);
}

export function mib(bytes) {
  return `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0)} MiB`;
}

export function seconds(ms) {
  const s = ms / 1000;
  return `${s.toFixed(s < 1 ? 3 : 2)} s`;
}

export function pct(x) {
  return `${(x * 100).toFixed(1)}%`;
}

export function best(values) {
  return Math.min(...values);
}

export function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Prints `label  value` lines with the values aligned. */
export function lines(rows, indent = '    ') {
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${indent}${label.padEnd(width)}  ${value}`);
}

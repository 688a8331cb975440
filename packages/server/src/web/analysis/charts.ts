/**
 * Charts as SVG rendered on the server: readable without JavaScript, printable, and accessible
 * (a `<title>` and `<desc>` named by `aria-labelledby`; every page also shows the numbers in a
 * table beside the chart). Plain SVG strings, no browser and no DOM shim needed.
 */

export interface Series {
  readonly name: string;
  /** One value per x label; null leaves a gap. */
  readonly values: readonly (number | null)[];
  /** Drawn dashed (e.g. last year). */
  readonly dashed?: boolean | undefined;
}

export interface ChartOptions {
  /** Used for the ids of the title and description; letters, digits and dashes. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly labels: readonly string[];
  /** How a value reads on the axis: a rate as a percentage or a count. */
  readonly format?: 'percent' | 'count' | undefined;
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  /** Fixed lower bound of the y axis (e.g. 0.8 for attendance rates); default from the data. */
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}

/** GOV.UK colours that keep their contrast on white. */
const COLOURS = ['#1d70b8', '#d4351c', '#00703c', '#4c2c92', '#f47738', '#505a5f'];

/** Text for SVG/HTML with the special characters escaped. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function fmt(value: number, format: 'percent' | 'count'): string {
  return format === 'percent' ? `${(value * 100).toFixed(1)}%` : String(Math.round(value * 10) / 10);
}

function niceTicks(min: number, max: number, count = 5): number[] {
  if (max <= min) return [min];
  const raw = ((max - min) / count) * (1 - 1e-9);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Math.round(v / step) * step);
  return ticks;
}

interface Frame {
  readonly w: number;
  readonly h: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly lo: number;
  readonly hi: number;
  y(v: number): number;
}

function frame(options: ChartOptions, values: readonly number[], zeroBased: boolean): Frame {
  const w = options.width ?? 720;
  const h = options.height ?? 300;
  const finite = values.filter((v) => Number.isFinite(v));
  const percent = (options.format ?? 'percent') === 'percent';
  const dataMin = finite.length > 0 ? Math.min(...finite) : 0;
  const dataMax = finite.length > 0 ? Math.max(...finite) : 1;
  // Bars start at zero; lines zoom in on the data (attendance lives between 80% and 100%).
  let lo = options.min ?? (zeroBased ? 0 : Math.max(0, dataMin - 0.02));
  let hi = options.max ?? (zeroBased ? dataMax * 1.1 : dataMax + 0.02);
  if (percent && options.max === undefined) hi = Math.min(1, hi);
  if (!(hi > lo)) hi = lo + (percent ? 0.1 : 1);
  // Start and end the axis on a tick, so every value sits between two labelled lines.
  const ticks = niceTicks(lo, hi);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 0;
  if (step > 0) {
    lo = Math.floor(lo / step + 1e-9) * step;
    hi = Math.ceil(hi / step - 1e-9) * step;
  }
  const left = 56;
  const right = 16;
  const top = 16;
  // Room for the slanted x labels and, below them, the legend.
  const bottom = 84;
  return { w, h, left, right, top, bottom, lo, hi, y: (v) => top + (h - top - bottom) * (1 - (v - lo) / (hi - lo)) };
}

function open(options: ChartOptions, f: Frame, kind: string): string {
  const id = options.id.replace(/[^a-z0-9-]/gi, '-');
  return (
    `<svg class="rc-chart rc-chart--${kind}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.w} ${f.h}" ` +
    `width="100%" font-family="&quot;GDS Transport&quot;, arial, sans-serif" role="img" aria-labelledby="${id}-title ${id}-desc" data-chart="${id}">` +
    `<title id="${id}-title">${escapeXml(options.title)}</title>` +
    `<desc id="${id}-desc">${escapeXml(options.description)}</desc>`
  );
}

function axes(options: ChartOptions, f: Frame, xAt: (i: number) => number): string {
  const format = options.format ?? 'percent';
  const parts: string[] = [];
  for (const t of niceTicks(f.lo, f.hi)) {
    const y = f.y(t).toFixed(1);
    parts.push(
      `<line x1="${f.left}" x2="${f.w - f.right}" y1="${y}" y2="${y}" stroke="#b1b4b6" stroke-width="1"/>` +
        `<text x="${f.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="12" fill="#0b0c0c">${fmt(t, format)}</text>`,
    );
  }
  // Label at most about 12 x positions so they stay readable.
  const every = Math.max(1, Math.ceil(options.labels.length / 12));
  options.labels.forEach((label, i) => {
    if (i % every !== 0) return;
    const x = xAt(i).toFixed(1);
    parts.push(
      `<text x="${x}" y="${f.h - f.bottom + 16}" text-anchor="end" font-size="11" fill="#0b0c0c" transform="rotate(-30 ${x} ${f.h - f.bottom + 16})">${escapeXml(label)}</text>`,
    );
  });
  parts.push(
    `<line x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${f.h - f.bottom}" stroke="#0b0c0c"/>` +
      `<line x1="${f.left}" x2="${f.w - f.right}" y1="${f.h - f.bottom}" y2="${f.h - f.bottom}" stroke="#0b0c0c"/>`,
  );
  return parts.join('');
}

function legend(series: readonly Series[], f: Frame): string {
  if (series.length < 2) return '';
  return series
    .map((s, i) => {
      const x = f.left + i * 180;
      const y = f.h - 8;
      const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
      return (
        `<line x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="3"${dash}/>` +
        `<text x="${x + 30}" y="${y}" font-size="12" fill="#0b0c0c">${escapeXml(s.name)}</text>`
      );
    })
    .join('');
}

/**
 * A line chart of one or more series over the same x labels (e.g. this year and last year by week).
 *
 * @example lineChart({ id: 'weekly', title: 'Attendance by week', description: '…', labels }, [{ name: '2025/26', values }])
 */
export function lineChart(options: ChartOptions, series: readonly Series[]): string {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const f = frame(options, all, false);
  const n = Math.max(1, options.labels.length);
  const xAt = (i: number): number => f.left + (f.w - f.left - f.right) * (n === 1 ? 0.5 : i / (n - 1));
  const lines = series.map((s, k) => {
    const colour = COLOURS[k % COLOURS.length]!;
    const segments: string[] = [];
    let current = '';
    s.values.forEach((v, i) => {
      if (v === null) {
        if (current) segments.push(current);
        current = '';
        return;
      }
      current += `${current ? 'L' : 'M'}${xAt(i).toFixed(1)} ${f.y(v).toFixed(1)}`;
    });
    if (current) segments.push(current);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const points = s.values
      .map((v, i) =>
        v === null
          ? ''
          : `<circle cx="${xAt(i).toFixed(1)}" cy="${f.y(v).toFixed(1)}" r="3" fill="${colour}"><title>${escapeXml(
              `${s.name}, ${options.labels[i] ?? ''}: ${fmt(v, options.format ?? 'percent')}`,
            )}</title></circle>`,
      )
      .join('');
    return `<g><path d="${segments.join('')}" fill="none" stroke="${colour}" stroke-width="2.5"${dash}/>${points}</g>`;
  });
  return `${open(options, f, 'line')}${axes(options, f, xAt)}${lines.join('')}${legend(series, f)}</svg>`;
}

/**
 * A bar chart of one series (e.g. absence by day and session). Bars start at zero.
 *
 * @example barChart({ id: 'days', title: 'Absence by day', description: '…', labels: ['Mon AM', …] }, values)
 */
export function barChart(options: ChartOptions, values: readonly (number | null)[]): string {
  const f = frame(
    options,
    values.filter((v): v is number => v !== null),
    true,
  );
  const n = Math.max(1, options.labels.length);
  const band = (f.w - f.left - f.right) / n;
  const xAt = (i: number): number => f.left + band * (i + 0.5);
  const bars = values
    .map((v, i) => {
      if (v === null) return '';
      const y = f.y(Math.max(f.lo, v));
      const base = f.y(f.lo);
      return (
        `<rect x="${(f.left + band * i + band * 0.15).toFixed(1)}" y="${y.toFixed(1)}" width="${(band * 0.7).toFixed(1)}" ` +
        `height="${Math.max(0, base - y).toFixed(1)}" fill="${COLOURS[0]}"><title>${escapeXml(
          `${options.labels[i] ?? ''}: ${fmt(v, options.format ?? 'percent')}`,
        )}</title></rect>`
      );
    })
    .join('');
  return `${open(options, f, 'bar')}${axes(options, f, xAt)}${bars}</svg>`;
}

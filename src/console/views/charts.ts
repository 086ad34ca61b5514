import { escapeHtml, raw, type Html } from './html.js';

export interface ChartOptions {
  title: string;
  width?: number;
  height?: number;
  /** formats the largest value for the axis label */
  format?: (v: number) => string;
  kind?: 'bars' | 'line';
}

/**
 * A small inline SVG chart: no script, no library, coloured by CSS (currentColor and classes), so
 * it follows light and dark themes. Missing values (null) leave a gap.
 */
export function chart(values: (number | null)[], options: ChartOptions): Html {
  const w = options.width ?? 320;
  const h = options.height ?? 72;
  const pad = 4;
  const max = Math.max(0, ...values.filter((v): v is number => v !== null));
  const scale = max === 0 ? 0 : (h - 2 * pad - 12) / max;
  const step = values.length > 0 ? (w - 2 * pad) / values.length : 0;
  const y = (v: number) => h - pad - v * scale;
  let marks = '';
  if ((options.kind ?? 'bars') === 'bars') {
    values.forEach((v, i) => {
      if (v === null || v === 0) return;
      const bh = Math.max(1, v * scale);
      marks += `<rect class="bar" x="${(pad + i * step + 1).toFixed(1)}" y="${(h - pad - bh).toFixed(1)}" width="${Math.max(1, step - 2).toFixed(1)}" height="${bh.toFixed(1)}"/>`;
    });
  } else {
    let d = '';
    let pen = false;
    values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${(pad + i * step + step / 2).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    marks = `<path class="line" d="${d}"/>`;
    values.forEach((v, i) => {
      if (v !== null) marks += `<circle class="dot" cx="${(pad + i * step + step / 2).toFixed(1)}" cy="${y(v).toFixed(1)}" r="1.8"/>`;
    });
  }
  const label = escapeHtml(`max ${(options.format ?? String)(max)}`);
  const title = escapeHtml(options.title);
  return raw(
    `<svg class="chart" role="img" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" aria-label="${title}"><title>${title}</title>` +
      `<line class="axis" x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}"/>` +
      `<text class="axis-label" x="${w - pad}" y="10" text-anchor="end">${label}</text>${marks}</svg>`,
  );
}

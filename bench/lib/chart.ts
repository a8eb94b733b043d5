/**
 * bench/results.svg: one horizontal bar per ratio, grouped by suite, with the target drawn as a
 * tick on the bar's row. Green meets its target, red misses it, grey has none. Plain SVG text, so
 * it diffs like the Markdown beside it; no charting dependency.
 */
import { type Bar, meets, ratioText, type SectionMeta } from './results-file.js';

const WIDTH = 900;
const LABEL = 390;
const PLOT = 380;
const ROW = 22;
const HEADER = 26;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Renders the bars of every section present. */
export function renderChart<N extends string>(
  sections: Partial<Record<N, SectionMeta>>,
  order: readonly N[],
): string {
  const groups = order
    .filter((name) => (sections[name]?.bars.length ?? 0) > 0)
    .map((name) => ({ name, bars: sections[name]!.bars }));
  const all: Bar[] = groups.flatMap((group) => group.bars);
  const top = Math.max(1.2, ...all.map((bar) => Math.max(bar.ratio, bar.target?.value ?? 0))) * 1.08;
  // Ratios above 4 would squash the rest: the scale is linear to 4 and the longer bars are cut
  // with their value written on them.
  const max = Math.min(top, 4.2);
  const x = (ratio: number) => LABEL + (Math.min(ratio, max) / max) * PLOT;
  const height = 70 + groups.length * HEADER + all.length * ROW + 30;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12" role="img" aria-labelledby="title">`,
    `<title id="title">Sesame benchmarks: ${escapeXml(all.map((bar) => `${bar.label} / ${bar.reference} ${bar.ratio.toFixed(2)}×`).join('; '))}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="15" font-weight="600" fill="#111">Sesame benchmarks: each figure as a ratio to its reference, same run</text>`,
    `<text x="16" y="44" fill="#555">green: target met · red: target missed · grey: no target · black tick: the target</text>`,
  ];
  let y = 64;
  // Grid lines at every 0.5 up to the scale's end.
  const gridBottom = 64 + groups.length * HEADER + all.length * ROW;
  for (let tick = 0; tick <= max + 1e-9; tick += 0.5) {
    const gx = x(tick);
    out.push(
      `<line x1="${gx.toFixed(1)}" y1="${y}" x2="${gx.toFixed(1)}" y2="${gridBottom}" stroke="${tick === 1 ? '#999' : '#e5e5e5'}" stroke-width="1"/>`,
      `<text x="${gx.toFixed(1)}" y="${gridBottom + 14}" text-anchor="middle" fill="#777">${tick.toFixed(1)}×</text>`,
    );
  }
  for (const group of groups) {
    out.push(`<text x="16" y="${y + 17}" font-weight="600" fill="#111">${escapeXml(group.name)}</text>`);
    y += HEADER;
    for (const bar of group.bars) {
      const colour = bar.target === undefined ? '#9e9e9e' : meets(bar) ? '#2e7d32' : '#c62828';
      const end = x(bar.ratio);
      const label = `${bar.label} / ${bar.reference}`;
      out.push(
        `<text x="${LABEL - 8}" y="${y + 15}" text-anchor="end" fill="#222">${escapeXml(label.length > 60 ? `${label.slice(0, 59)}…` : label)}</text>`,
        `<rect x="${LABEL}" y="${y + 4}" width="${Math.max(1, end - LABEL).toFixed(1)}" height="${ROW - 8}" fill="${colour}"/>`,
        // After the bar or the target tick, whichever is further right, so the two never overlap.
        `<text x="${(Math.max(Math.min(end, LABEL + PLOT), bar.target ? x(bar.target.value) : 0) + 6).toFixed(1)}" y="${y + 15}" fill="#222">${ratioText(bar)}${bar.ratio > max ? ' (bar cut)' : ''}</text>`,
      );
      if (bar.target !== undefined) {
        const tx = x(bar.target.value);
        out.push(
          `<line x1="${tx.toFixed(1)}" y1="${y + 1}" x2="${tx.toFixed(1)}" y2="${y + ROW - 1}" stroke="#000" stroke-width="2"/>`,
        );
      }
      y += ROW;
    }
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

// The one module that knows the charting library (Chart.js, drawn on a canvas: no inline script,
// no inline style, no eval, so it runs under the panel's strict CSP). Views ask for bar charts in
// the theme's own chart colours; nothing else here is Chart.js-specific outside this file.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface Series {
  label: string;
  data: number[];
  /** A VS Code theme colour, e.g. --vscode-charts-blue. */
  colour: string;
}

export interface BarOptions {
  title: string;
  labels: string[];
  series: Series[];
  stacked?: boolean;
  horizontal?: boolean;
}

const themed = (name: string, fallback: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/** A bar chart in `canvas`, replacing any chart drawn there before. */
export function barChart(canvas: HTMLCanvasElement, o: BarOptions): void {
  Chart.getChart(canvas)?.destroy();
  const text = themed('--vscode-foreground', '#cccccc');
  const grid = themed('--vscode-panel-border', '#444444');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${o.title}: ${o.labels.map((l, i) => `${l} ${o.series.map((s) => `${s.label} ${s.data[i]}`).join(', ')}`).join('; ')}`);
  new Chart(canvas, {
    type: 'bar',
    data: { labels: o.labels, datasets: o.series.map((s) => ({ label: s.label, data: s.data, backgroundColor: themed(s.colour, '#3794ff') })) },
    options: {
      // Drawn once, at once: the first paint is the figure a person reads.
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: o.horizontal ? 'y' : 'x',
      plugins: { legend: { labels: { color: text } }, tooltip: { enabled: true } },
      scales: {
        x: { stacked: o.stacked, ticks: { color: text }, grid: { color: grid } },
        y: { stacked: o.stacked, ticks: { color: text, precision: 0 }, grid: { color: grid } },
      },
    },
  });
}

/** Whether a chart is drawn in `canvas` (for tests and for redraws on theme change). */
export function hasChart(canvas: HTMLCanvasElement): boolean {
  return Chart.getChart(canvas) !== undefined;
}

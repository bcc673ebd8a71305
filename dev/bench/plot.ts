import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };

// The run as a picture: latency percentiles, throughput and the worker's resources over time, with the
// phases behind them. Vega-Lite compiles the spec, Vega renders it to SVG headless (no canvas needed).

export interface PlotPoint {
  /** Seconds since the bench started. */
  t: number;
  series: string;
  value: number;
  /** Points of one series with a gap between them are drawn as separate lines, not joined across it. */
  segment?: number;
}

export interface PlotPhase {
  name: string;
  start: number;
  end: number;
}

export interface PlotData {
  latency: PlotPoint[];
  throughput: PlotPoint[];
  memory: PlotPoint[];
  cpu: PlotPoint[];
  phases: PlotPhase[];
  title: string;
}

const WIDTH = 900;

function panel(points: PlotPoint[], phases: PlotPhase[], yTitle: string, yScale: object, withLabels: boolean) {
  return {
    width: WIDTH,
    height: 200,
    layer: [
      {
        data: { values: phases },
        mark: { type: 'rect', opacity: 0.08 },
        encoding: { x: { field: 'start', type: 'quantitative' }, x2: { field: 'end' }, color: { value: '#4c78a8' } },
      },
      ...(withLabels
        ? [
            {
              // Short phases sit side by side, so their labels take three rows in turn.
              data: { values: phases.map((p, i) => ({ ...p, row: 2 + 11 * (i % 3) })) },
              mark: { type: 'text', align: 'left', baseline: 'top', dx: 2, fontSize: 9 },
              encoding: {
                x: { field: 'start', type: 'quantitative' },
                y: { field: 'row', type: 'quantitative', scale: null },
                text: { field: 'name' },
              },
            },
          ]
        : []),
      {
        data: { values: points },
        mark: { type: 'line', point: { size: 12 }, interpolate: 'linear' },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'seconds since the bench started' },
          y: { field: 'value', type: 'quantitative', title: yTitle, scale: yScale },
          color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'right', labelLimit: 260 } },
          detail: { field: 'segment', type: 'nominal' },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}

export function plotSpec(d: PlotData): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: d.title,
    background: 'white',
    vconcat: [
      panel(d.latency, d.phases, 'latency, ms (log)', { type: 'log' }, true),
      panel(d.throughput, d.phases, 'per second', { zero: true }, false),
      panel(d.cpu, d.phases, 'CPU, % of one core', { zero: true }, false),
      panel(d.memory, d.phases, 'order worker', { zero: true }, false),
    ],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}

/** The plot as SVG text. vega and vega-lite are ES modules, so they are imported when needed. */
export async function plotSvg(d: PlotData): Promise<string> {
  const vega = await import('vega');
  const vegaLite = await import('vega-lite');
  const view = new vega.View(vega.parse(vegaLite.compile(plotSpec(d)).spec), { renderer: 'none' });
  return view.toSVG();
}

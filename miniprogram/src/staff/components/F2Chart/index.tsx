import { useEffect, useRef } from 'react';
import Taro from '@tarojs/taro';
import { Canvas as TaroCanvas, View } from '@tarojs/components';
// AntV F2 (mobile charts on a 2d canvas): imported only from the staff subpackage, so the main package never
// carries it (the build's size report checks the main package stays under 1 MB).
import { Axis, Canvas, Chart, Interval, jsx, Line } from '@antv/f2';
import './index.scss';

export interface ChartPoint {
  day: string;
  value: number;
}

interface Props {
  id: string;
  kind: 'line' | 'bar';
  data: ChartPoint[];
  /** How a value reads on the axis (e.g. fen → ¥, per-mille → %). */
  format: (value: number) => string;
  color?: string;
  height?: number;
}

/** F2's element factory (what its JSX compiles to), untyped: its per-geometry generics do not survive a plain call. */
const el = jsx as unknown as (type: unknown, props: Record<string, unknown>) => { props: unknown };

type CanvasNode = {
  width: number;
  height: number;
  getContext: (kind: '2d') => unknown;
  requestAnimationFrame?: (callback: () => void) => number;
  cancelAnimationFrame?: (id: number) => void;
  createImage?: () => unknown;
};

/** The canvas element behind Taro's <Canvas type='2d'>, with its size in CSS pixels. */
function canvasNode(id: string): Promise<{ node: CanvasNode; width: number; height: number } | null> {
  if (process.env.TARO_ENV === 'h5') {
    const element = document.querySelector<HTMLCanvasElement>(`#${id} canvas, canvas#${id}`);
    if (!element) return Promise.resolve(null);
    const box = element.getBoundingClientRect();
    return Promise.resolve({ node: element as unknown as CanvasNode, width: box.width, height: box.height });
  }
  return new Promise((resolve) => {
    Taro.createSelectorQuery()
      .select(`#${id}`)
      .fields({ node: true, size: true })
      .exec((result: Array<{ node?: CanvasNode; width: number; height: number } | null>) => {
        const found = result?.[0];
        resolve(found?.node ? { node: found.node, width: found.width, height: found.height } : null);
      });
  });
}

/**
 * One trend chart (a line or bars by day) drawn by F2 on a 2d canvas, the same code in the weapp and H5 builds:
 * the weapp hands over the canvas node from a selector query, H5 the DOM canvas. Redrawn when the data changes.
 */
export default function F2Chart({ id, kind, data, format, color = '#e8453c', height = 180 }: Props) {
  const chart = useRef<{ destroy: () => void } | null>(null);

  useEffect(() => {
    let cancelled = false;
    const draw = async () => {
      const found = await canvasNode(id);
      if (!found || cancelled || found.width === 0) return;
      const { node, width, height: canvasHeight } = found;
      const pixelRatio = Taro.getSystemInfoSync().pixelRatio || 2;
      node.width = width * pixelRatio;
      node.height = canvasHeight * pixelRatio;
      const points = data.map((point) => ({ day: point.day.slice(5), value: point.value }));
      const geometry =
        kind === 'line'
          ? el(Line, { x: 'day', y: 'value', color, style: { lineWidth: 2 } })
          : el(Interval, { x: 'day', y: 'value', color });
      const { props } = el(Canvas, {
        context: node.getContext('2d'),
        pixelRatio,
        width,
        height: canvasHeight,
        animate: false,
        // Room above the top tick's label, which sits on the plot's edge.
        theme: { padding: [6, 8, 2, 2] },
        requestAnimationFrame: node.requestAnimationFrame?.bind(node),
        cancelAnimationFrame: node.cancelAnimationFrame?.bind(node),
        createImage: node.createImage?.bind(node),
        children: el(Chart, {
          data: points,
          scale: { value: { min: 0, nice: true, tickCount: 4 }, day: { tickCount: Math.min(points.length, 5) } },
          children: [
            el(Axis, { field: 'day', style: { label: { fontSize: 11 } } }),
            el(Axis, { field: 'value', formatter: format, style: { label: { fontSize: 11 } } }),
            geometry,
          ],
        }),
      }) as { props: ConstructorParameters<typeof Canvas>[0] };
      chart.current?.destroy();
      const canvas = new Canvas(props);
      chart.current = canvas;
      await canvas.render();
    };
    // After the page has laid the canvas out (both platforms measure it before drawing).
    const timer = setTimeout(() => void draw(), 50);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [id, kind, data, format, color]);

  useEffect(() => () => chart.current?.destroy(), []);

  return (
    <View className='f2-chart' style={{ height: `${height}px` }}>
      <TaroCanvas type='2d' id={id} canvasId={id} className='f2-chart__canvas' style={{ width: '100%', height: `${height}px` }} />
    </View>
  );
}

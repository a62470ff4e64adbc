import { BarChart, HeatmapChart, LineChart, PieChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only the chart kinds the console draws, so the bundle carries a fraction of ECharts.
echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  PieChart,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

/** An ECharts chart that follows its option and its container's width. `id` lets tests find the canvas. */
export function Chart({ option, height = 300, id }: { option: ChartOption; height?: number; id?: string }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    const instance = echarts.init(element.current!);
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current!);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    const instance = chart.current;
    if (!instance) return;
    instance.setOption(option, { notMerge: true });
    // What ECharts holds after the option (series and legend names), on the element for browser tests to read.
    const held = instance.getOption() as { series?: Array<{ name?: string; type?: string; data?: Array<{ name?: string }> }> };
    const series = held.series ?? [];
    element.current!.dataset.seriesCount = String(series.length);
    // A pie's legend names its slices; the other kinds name their series.
    element.current!.dataset.legend = series
      .flatMap((one) => (one.type === 'pie' ? (one.data ?? []).map((slice) => slice.name ?? '') : [one.name ?? '']))
      .join('|');
  }, [option]);
  return <div ref={element} id={id} data-chart='echarts' style={{ width: '100%', height }} />;
}

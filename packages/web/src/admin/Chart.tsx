// Apache ECharts, only the parts the overview draws, rendered as SVG. The chart is an image to
// assistive technology, named by a summary of its numbers.
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export function Chart({ option, summary }: { option: ChartOption; summary: string }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = echarts.init(element.current!, null, { renderer: 'svg' });
    chart.setOption({ animation: false, grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true }, legend: { show: false }, tooltip: { trigger: 'axis' }, ...option });
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(element.current!);
    return () => {
      resize.disconnect();
      chart.dispose();
    };
  }, [option]);
  return <div ref={element} className="chart" role="img" aria-label={summary} />;
}

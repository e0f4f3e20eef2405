import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { money } from '../format';
import { usePageTitle } from '../title';
import { Chart, type ChartOption } from './Chart';

type Grouping = 'project' | 'country' | 'supplier';

interface Overview {
  generatedAt: number;
  ordersPerHour: { at: number; received: number; failed: number; waiting: number }[];
  successRates: Record<Grouping, { label: string; orders: number; received: number; rate: number }[]>;
  moneyPerDay: { at: number; charged: number; supplierShares: number }[];
  numbersOnline: { at: number; online: number }[];
}

const COLORS = { received: '#15803d', failed: '#b91c1c', waiting: '#b45309', charged: '#1d4ed8', shares: '#7c3aed', online: '#0e7490' };
const WEEK_MS = 7 * 86_400_000;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const percent = (rate: number) => `${Math.round(rate * 100)}%`;

export default function Overview() {
  const { t, i18n } = useTranslation();
  usePageTitle(t('admin.overview'));
  const overview = useQuery({ queryKey: ['admin', 'overview'], queryFn: () => api.get<Overview>('/admin/overview'), refetchInterval: 60_000 });

  const charts = useMemo(() => {
    const data = overview.data;
    if (!data) return [];
    const hour = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' });
    const day = new Intl.DateTimeFormat(i18n.language, { month: 'short', day: 'numeric' });
    const when = new Intl.DateTimeFormat(i18n.language, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    const hours = data.ordersPerHour;
    const outcome = (key: 'received' | 'failed' | 'waiting') => ({
      name: t(`status.${key}`),
      type: 'bar',
      stack: 'orders',
      color: COLORS[key],
      data: hours.map((h) => h[key]),
    });
    const rateChart = (grouping: Grouping): [string, string, ChartOption, string] => {
      const rows = [...data.successRates[grouping]].reverse();
      return [
        `rates-${grouping}`,
        t(`admin.charts.rateBy.${grouping}`),
        {
          grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
          xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
          yAxis: { type: 'category', data: rows.map((r) => r.label) },
          tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v}%` },
          series: [{ type: 'bar', color: COLORS.received, data: rows.map((r) => Math.round(r.rate * 100)), label: { show: true, position: 'right', formatter: '{c}%' } }],
        },
        rows.length ? rows.map((r) => `${r.label} ${percent(r.rate)} (${r.received}/${r.orders})`).join(', ') : t('admin.charts.noData'),
      ];
    };
    const list: [string, string, ChartOption, string][] = [
      [
        'orders',
        t('admin.charts.ordersPerHour'),
        { legend: { top: 0 }, xAxis: { type: 'category', data: hours.map((h) => hour.format(h.at)) }, yAxis: { type: 'value', minInterval: 1 }, series: [outcome('received'), outcome('failed'), outcome('waiting')] },
        t('admin.charts.ordersSummary', { received: sum(hours.map((h) => h.received)), failed: sum(hours.map((h) => h.failed)), waiting: sum(hours.map((h) => h.waiting)) }),
      ],
      rateChart('project'),
      rateChart('country'),
      rateChart('supplier'),
      [
        'money',
        t('admin.charts.moneyPerDay'),
        {
          legend: { top: 0 },
          xAxis: { type: 'category', data: data.moneyPerDay.map((d) => day.format(d.at)) },
          yAxis: { type: 'value', axisLabel: { formatter: (v: number) => money(v) } },
          tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
          series: [
            { name: t('admin.charts.charged'), type: 'bar', color: COLORS.charged, data: data.moneyPerDay.map((d) => d.charged) },
            { name: t('admin.charts.supplierShares'), type: 'bar', color: COLORS.shares, data: data.moneyPerDay.map((d) => d.supplierShares) },
          ],
        },
        t('admin.charts.moneySummary', { charged: money(sum(data.moneyPerDay.map((d) => d.charged))), shares: money(sum(data.moneyPerDay.map((d) => d.supplierShares))) }),
      ],
      [
        'online',
        t('admin.charts.numbersOnline'),
        {
          // The whole week, whatever the samples cover: one label a day.
          xAxis: { type: 'time', min: data.generatedAt - WEEK_MS, max: data.generatedAt, axisLabel: { formatter: (v: number) => day.format(v) } },
          yAxis: { type: 'value', minInterval: 1 },
          tooltip: { trigger: 'axis' },
          series: [{ name: t('admin.charts.online'), type: 'line', color: COLORS.online, showSymbol: data.numbersOnline.length < 50, data: data.numbersOnline.map((s) => [s.at, s.online]) }],
        },
        data.numbersOnline.length
          ? t('admin.charts.onlineSummary', { now: data.numbersOnline.at(-1)!.online, since: when.format(data.numbersOnline[0]!.at), max: Math.max(...data.numbersOnline.map((s) => s.online)) })
          : t('admin.charts.noData'),
      ],
    ];
    return list;
  }, [overview.data, t, i18n.language]);

  return (
    <>
      <h1>{t('admin.overview')}</h1>
      {overview.isError && <ErrorMessage error={overview.error} retry={() => void overview.refetch()} />}
      {overview.isPending && <p className="loading">{t('common.loading')}</p>}
      <div className="charts">
        {charts.map(([id, title, option, summary]) => (
          <figure key={id} className="card" aria-labelledby={`chart-${id}`} data-testid={`chart-${id}`}>
            <figcaption id={`chart-${id}`}>{title}</figcaption>
            <Chart option={option} summary={summary} />
          </figure>
        ))}
      </div>
    </>
  );
}

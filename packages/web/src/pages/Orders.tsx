import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useSearchParams } from 'react-router';
import { api, query, type Offer, type OrderSummary, type Page } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { Pager, Table, type Column } from '../components/Table';
import { dateTime, money } from '../format';
import { usePageTitle } from '../title';

const STATUSES = ['receiving', 'released', 'waiting', 'received', 'failed'] as const;
const PAGE_SIZE = 20;

/** A date field's day, as epoch ms at the start (or end) of that day in the reader's time zone. */
function dayBoundary(date: string, end: boolean): number | undefined {
  if (!date) return undefined;
  const [y, m, d] = date.split('-').map(Number);
  return end ? new Date(y!, m! - 1, d! + 1).getTime() - 1 : new Date(y!, m! - 1, d!).getTime();
}

export function StatusBadge({ status }: { status: OrderSummary['smsStatus'] | OrderSummary['numberStatus'] }) {
  const { t } = useTranslation();
  return <span className={`badge ${status}`}>{t(`status.${status}`)}</span>;
}

/** An order's columns wherever orders are listed: when, project, number, its one status word, code. */
export function orderColumns(t: TFunction): Column<OrderSummary>[] {
  return [
    { header: t('orders.created'), cell: (o) => dateTime(o.createdAt) },
    { header: t('orders.project'), cell: (o) => o.project.enname },
    { header: t('orders.number'), cell: (o) => <span className="mono">+{o.number}</span> },
    { header: t('orders.status'), cell: (o) => <StatusBadge status={o.numberStatus === 'receiving' ? 'receiving' : o.smsStatus} /> },
    { header: t('orders.code'), cell: (o) => <span className="mono">{o.code ?? '—'}</span> },
  ];
}

/** Filters live in the address, so a filtered history can be bookmarked and shared. */
export function Orders() {
  const { t } = useTranslation();
  usePageTitle(t('orders.title'));
  const [params, setParams] = useSearchParams();
  const filters = {
    status: params.get('status') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    myPid: params.get('myPid') ?? '',
    number: params.get('number') ?? '',
  };
  const page = Number(params.get('page') ?? 1) || 1;
  const apiQuery = { status: filters.status, from: dayBoundary(filters.from, false), to: dayBoundary(filters.to, true), myPid: filters.myPid, number: filters.number.replace(/\D/g, '') };
  const orders = useQuery({
    queryKey: ['orders', apiQuery, page],
    queryFn: () => api.get<Page<'orders', OrderSummary>>(`/orders${query({ ...apiQuery, page, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
  const projects = useQuery({ queryKey: ['offers', 'all'], queryFn: () => api.get<Page<'projects', Offer>>('/projects?limit=100') });

  const apply = (form: HTMLFormElement) => {
    const data = new FormData(form);
    const next = new URLSearchParams();
    for (const [key, value] of data) if (String(value).trim()) next.set(key, String(value).trim());
    setParams(next);
  };

  return (
    <>
      <h1>{t('orders.title')}</h1>
      <form
        key={params.toString()}
        className="filters"
        role="search"
        aria-label={t('orders.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          apply(e.currentTarget);
        }}
      >
        <label>
          {t('orders.status')}
          <select name="status" defaultValue={filters.status}>
            <option value="">{t('orders.anyStatus')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('orders.from')}
          <input type="date" name="from" defaultValue={filters.from} />
        </label>
        <label>
          {t('orders.to')}
          <input type="date" name="to" defaultValue={filters.to} />
        </label>
        <label>
          {t('orders.project')}
          <select name="myPid" defaultValue={filters.myPid}>
            <option value="">{t('orders.anyProject')}</option>
            {projects.data?.projects.map((p) => (
              <option key={p.myPid} value={p.myPid}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('orders.number')}
          <input name="number" inputMode="tel" defaultValue={filters.number} />
        </label>
        <button type="submit">{t('orders.apply')}</button>
        <a className="button secondary" href={`/api/web/orders.csv${query(apiQuery)}`} download>
          {t('orders.export')}
        </a>
      </form>
      {orders.isError && <ErrorMessage error={orders.error} retry={() => void orders.refetch()} />}
      {orders.isPending && <p className="loading">{t('common.loading')}</p>}
      {orders.data && (
        <>
          <p role="status" className="help">
            {t('orders.found', { count: orders.data.count })}
          </p>
          <Table
            caption={t('orders.title')}
            rows={orders.data.orders}
            rowKey={(o) => o.orderId}
            columns={[
              ...orderColumns(t),
              { header: t('orders.price'), cell: (o) => money(o.project.price), numeric: true },
            ]}
          />
          <Pager page={page} limit={PAGE_SIZE} count={orders.data.count} shown={orders.data.orders.length} onPage={(p) => setParams((prev) => (prev.set('page', String(p)), prev))} />
        </>
      )}
    </>
  );
}

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, query, type Recharge } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { Pager, Table } from '../components/Table';
import { dateTime, money } from '../format';
import { RechargeStatus } from '../pages/Recharges';
import { usePageTitle } from '../title';
import { useChange } from './hooks';

const PAGE_SIZE = 20;

export function AdminRecharges() {
  const { t } = useTranslation();
  usePageTitle(t('admin.recharges'));
  const [status, setStatus] = useState('unpaid');
  const [page, setPage] = useState(1);
  const recharges = useQuery({
    queryKey: ['admin', 'recharges', status, page],
    queryFn: () => api.get<{ recharges: Recharge[] }>(`/admin/recharges${query({ status, page, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
  const pay = useChange((rechargeId: string) => api.post<Recharge>(`/admin/recharges/${rechargeId}/pay`, {}), [['admin', 'recharges'], ['admin', 'audit'], ['admin', 'users']]);
  return (
    <>
      <h1>{t('admin.recharges')}</h1>
      <div className="filters">
        <label>
          {t('recharges.status')}
          <select value={status} onChange={(e) => (setStatus(e.target.value), setPage(1))}>
            <option value="">{t('orders.anyStatus')}</option>
            {(['unpaid', 'paid', 'expired'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`recharges.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="help">{t('admin.payHelp')}</p>
      {pay.isError && <ErrorMessage error={pay.error} />}
      {pay.isSuccess && <p role="status">{t('admin.paid', { amount: money(pay.data.amount), username: pay.data.username })}</p>}
      {recharges.isError && <ErrorMessage error={recharges.error} retry={() => void recharges.refetch()} />}
      {recharges.data && (
        <>
          <Table
            caption={t('admin.recharges')}
            rows={recharges.data.recharges}
            rowKey={(r) => r.rechargeId}
            columns={[
              { header: t('recharges.created'), cell: (r) => dateTime(r.createdAt) },
              { header: t('auth.username'), cell: (r) => r.username },
              { header: t('recharges.amount'), cell: (r) => money(r.amount), numeric: true },
              { header: t('recharges.payment'), cell: (r) => r.payment },
              { header: t('recharges.status'), cell: (r) => <RechargeStatus status={r.status} /> },
              {
                header: t('common.actions'),
                cell: (r) =>
                  r.status !== 'paid' && (
                    <button type="button" onClick={() => pay.mutate(r.rechargeId)} disabled={pay.isPending} aria-label={t('admin.markPaidFor', { amount: money(r.amount), username: r.username })}>
                      {t('admin.markPaid')}
                    </button>
                  ),
              },
            ]}
          />
          <Pager page={page} limit={PAGE_SIZE} shown={recharges.data.recharges.length} onPage={setPage} />
        </>
      )}
    </>
  );
}

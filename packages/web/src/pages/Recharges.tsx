import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, query, type Recharge } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { Pager, Table } from '../components/Table';
import { dateTime, money, parseDollars } from '../format';
import { useSession } from '../session';
import { usePageTitle } from '../title';

const PAGE_SIZE = 20;

export function RechargeStatus({ status }: { status: Recharge['status'] }) {
  const { t } = useTranslation();
  return <span className={`badge ${status}`}>{t(`recharges.${status}`)}</span>;
}

export function Recharges() {
  const { t } = useTranslation();
  usePageTitle(t('recharges.title'));
  const session = useSession();
  const client = useQueryClient();
  const [page, setPage] = useState(1);
  const [badAmount, setBadAmount] = useState(false);
  const list = useQuery({
    queryKey: ['recharges', page],
    queryFn: () => api.get<{ recharges: Recharge[] }>(`/recharges${query({ page, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
  const open = useMutation({
    mutationFn: (input: { amount: number; payment: string }) => api.post<Recharge>('/recharges', input),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['recharges'] }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const amount = parseDollars(String(data.get('amount')));
    setBadAmount(amount === undefined || amount <= 0);
    if (amount !== undefined && amount > 0) open.mutate({ amount, payment: String(data.get('payment')) });
  };
  return (
    <>
      <h1>{t('recharges.title')}</h1>
      <form className="card form" onSubmit={submit} aria-labelledby="new-recharge">
        <h2 id="new-recharge">{t('recharges.new')}</h2>
        <p className="help">{t('recharges.help')}</p>
        <label>
          {t('recharges.amount')}
          <input name="amount" inputMode="decimal" required placeholder="25.00" aria-describedby="amount-help" aria-invalid={badAmount} />
        </label>
        <span id="amount-help" className="help">
          {t('recharges.amountHelp')}
        </span>
        <label>
          {t('recharges.payment')}
          <select name="payment">
            {session.data?.paymentMethods.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        {badAmount && (
          <p role="alert" className="error">
            {t('errors.amount')}
          </p>
        )}
        {open.isError && <ErrorMessage error={open.error} />}
        {open.isSuccess && <p role="status">{t('recharges.opened', { amount: money(open.data.amount) })}</p>}
        <button type="submit" disabled={open.isPending}>
          {t('recharges.create')}
        </button>
      </form>
      <section aria-labelledby="recharge-list">
        <h2 id="recharge-list">{t('recharges.list')}</h2>
        {list.isError && <ErrorMessage error={list.error} retry={() => void list.refetch()} />}
        {list.data && (
          <>
            <Table
              caption={t('recharges.list')}
              rows={list.data.recharges}
              rowKey={(r) => r.rechargeId}
              columns={[
                { header: t('recharges.created'), cell: (r) => dateTime(r.createdAt) },
                { header: t('recharges.amount'), cell: (r) => money(r.amount), numeric: true },
                { header: t('recharges.payment'), cell: (r) => r.payment },
                { header: t('recharges.status'), cell: (r) => <RechargeStatus status={r.status} /> },
                { header: t('recharges.id'), cell: (r) => <span className="mono">{r.rechargeId}</span> },
              ]}
            />
            <Pager page={page} limit={PAGE_SIZE} shown={list.data.recharges.length} onPage={setPage} />
          </>
        )}
      </section>
    </>
  );
}

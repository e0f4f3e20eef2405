import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, query, type Page } from '../api';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { Pager, Table } from '../components/Table';
import { countryName, dateTime, money, parseDollars } from '../format';
import { usePageTitle } from '../title';
import { Gateways } from './Gateways';
import { useChange } from './hooks';

interface Supplier {
  name: string;
  enabled: boolean;
  shareBp: number;
  channels: number[];
  numbers: number;
  online: number;
  /** What the platform owes the supplier, in cents. */
  balance: number;
  keyPrefix: string;
}

interface PoolNumber {
  number: string;
  country: string;
  operator: string;
  online: boolean;
  orderId: string | null;
  createdAt: number;
  health: {
    orders: number;
    /** Orders that got an SMS. */
    delivered: number;
    lastSmsAt: number | null;
    /** Not handed out until `until`: too many orders in a row ended without an SMS. */
    rest: { until: number; failures: number } | null;
  };
}

interface Payout {
  supplier: string;
  amount: number;
  balance: number;
}

const PAGE_SIZE = 50;

/** A supplier key, shown once: the server keeps only its hash. */
function ShownKey({ name, secret }: { name: string; secret: string }) {
  const { t } = useTranslation();
  return (
    <div className="card notice" role="status">
      <p>{t('admin.keyShownOnce', { name })}</p>
      <p>
        <span className="mono break" data-testid="supplier-key">
          {secret}
        </span>{' '}
        <CopyButton text={secret} what={t('admin.supplierKey')} />
      </p>
    </div>
  );
}

/** A supplier's numbers: in the pool, online now or not, and the live order using each. */
function Numbers({ supplier }: { supplier: string }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const [online, setOnline] = useState('');
  const numbers = useQuery({
    queryKey: ['admin', 'numbers', supplier, online, page],
    queryFn: () => api.get<Page<'numbers', PoolNumber>>(`/admin/numbers${query({ supplier, online, page, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
  return (
    <section aria-labelledby="numbers-title">
      <h2 id="numbers-title">{t('admin.numbersOf', { name: supplier })}</h2>
      <div className="filters">
        <label>
          {t('admin.health')}
          <select value={online} onChange={(e) => (setOnline(e.target.value), setPage(1))}>
            <option value="">{t('admin.allNumbers')}</option>
            <option value="true">{t('admin.online')}</option>
            <option value="false">{t('admin.offline')}</option>
          </select>
        </label>
      </div>
      {numbers.isError && <ErrorMessage error={numbers.error} />}
      {numbers.data && (
        <>
          <Table
            caption={t('admin.numbersOf', { name: supplier })}
            rows={numbers.data.numbers}
            rowKey={(n) => n.number}
            columns={[
              { header: t('orders.number'), cell: (n) => <span className="mono">+{n.number}</span> },
              { header: t('buy.country'), cell: (n) => countryName(n.country) },
              { header: t('admin.operator'), cell: (n) => n.operator },
              {
                header: t('admin.health'),
                cell: (n) =>
                  n.health.rest ? (
                    <span className="badge failed">{t('admin.resting', { until: dateTime(n.health.rest.until), count: n.health.rest.failures })}</span>
                  ) : (
                    <span className={`badge ${n.online ? 'received' : 'failed'}`}>{n.online ? t('admin.online') : t('admin.offline')}</span>
                  ),
              },
              { header: t('admin.ordersSms'), cell: (n) => `${n.health.orders} / ${n.health.delivered}`, numeric: true },
              { header: t('admin.lastSms'), cell: (n) => (n.health.lastSmsAt === null ? '—' : dateTime(n.health.lastSmsAt)) },
              { header: t('admin.liveOrder'), cell: (n) => (n.orderId ? <span className="mono">{n.orderId}</span> : '—') },
              { header: t('admin.registered'), cell: (n) => dateTime(n.createdAt) },
            ]}
          />
          <Pager page={page} limit={PAGE_SIZE} count={numbers.data.count} shown={numbers.data.numbers.length} onPage={setPage} />
        </>
      )}
    </section>
  );
}

/** Money paid to the supplier outside the platform, booked against what it is owed. */
function PayoutForm({ supplier }: { supplier: Supplier }) {
  const { t } = useTranslation();
  const [badAmount, setBadAmount] = useState(false);
  const pay = useChange(
    (input: { amount: number; note: string }) => api.post<Payout>(`/admin/suppliers/${encodeURIComponent(supplier.name)}/payouts`, input),
    [['admin', 'suppliers'], ['admin', 'audit']],
  );
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const amount = parseDollars(String(data.get('amount')));
    setBadAmount(!amount || amount < 0);
    if (amount && amount > 0) pay.mutate({ amount, note: String(data.get('note')) }, { onSuccess: () => form.reset() });
  };
  // The server's own words for "too much" speak of the customer's balance; here it is what the supplier is owed.
  const tooMuch = pay.error instanceof ApiError && pay.error.code === 'insufficient_balance';
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="payout-title">
      <h2 id="payout-title">{t('admin.payoutTitle', { name: supplier.name })}</h2>
      <label>
        {t('admin.amount')}
        <input name="amount" inputMode="decimal" required placeholder="10.00" aria-describedby="payout-help" />
      </label>
      <span id="payout-help" className="help">
        {t('admin.payoutHelp', { balance: money(supplier.balance) })}
      </span>
      <label>
        {t('admin.note')}
        <input name="note" maxLength={500} />
      </label>
      {badAmount && (
        <p role="alert" className="error">
          {t('errors.amount')}
        </p>
      )}
      {tooMuch ? (
        <p role="alert" className="error">
          {t('admin.payoutTooLarge', { name: supplier.name, balance: money(supplier.balance) })}
        </p>
      ) : (
        pay.isError && <ErrorMessage error={pay.error} />
      )}
      {pay.isSuccess && (
        <p role="status">{t('admin.paidOut', { amount: money(pay.data.amount), name: pay.data.supplier, balance: money(pay.data.balance) })}</p>
      )}
      <button type="submit" disabled={pay.isPending}>
        {t('admin.payout')}
      </button>
    </form>
  );
}

export function Suppliers() {
  const { t } = useTranslation();
  usePageTitle(t('admin.suppliers'));
  const [shown, setShown] = useState<{ name: string; secret: string }>();
  const [selected, setSelected] = useState<string>();
  const [gatewaysOf, setGatewaysOf] = useState<string>();
  const suppliers = useQuery({ queryKey: ['admin', 'suppliers'], queryFn: () => api.get<{ suppliers: Supplier[] }>('/admin/suppliers') });
  const touches = [['admin', 'suppliers'], ['admin', 'audit']];
  const create = useChange((input: { name: string; shareBp: number; channels: number[] }) => api.post<{ supplier: Supplier; key: string }>('/admin/suppliers', input), touches);
  const rotate = useChange((name: string) => api.post<{ key: string }>(`/admin/suppliers/${encodeURIComponent(name)}/key`), touches);
  const toggle = useChange((s: Supplier) => api.put(`/admin/suppliers/${encodeURIComponent(s.name)}/enabled`, { enabled: !s.enabled }), touches);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const channels = String(data.get('channels'))
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    create.mutate(
      { name: String(data.get('name')).trim(), shareBp: Math.round(Number(data.get('share')) * 100), channels },
      {
        onSuccess: ({ supplier, key }) => {
          setShown({ name: supplier.name, secret: key });
          form.reset();
        },
      },
    );
  };

  return (
    <>
      <h1>{t('admin.suppliers')}</h1>
      {shown && <ShownKey name={shown.name} secret={shown.secret} />}
      {suppliers.isError && <ErrorMessage error={suppliers.error} retry={() => void suppliers.refetch()} />}
      {[rotate, toggle].map((m, i) => m.isError && <ErrorMessage key={i} error={m.error} />)}
      {suppliers.data && (
        <Table
          caption={t('admin.suppliers')}
          rows={suppliers.data.suppliers}
          rowKey={(s) => s.name}
          columns={[
            { header: t('admin.name'), cell: (s) => s.name },
            { header: t('admin.state'), cell: (s) => (s.enabled ? t('admin.enabled') : <span className="badge failed">{t('admin.disabled')}</span>) },
            { header: t('admin.share'), cell: (s) => `${s.shareBp / 100}%`, numeric: true },
            { header: t('admin.channels'), cell: (s) => s.channels.join(', ') },
            { header: t('admin.numbersOnline'), cell: (s) => `${s.online} / ${s.numbers}`, numeric: true },
            { header: t('admin.owed'), cell: (s) => money(s.balance), numeric: true },
            {
              header: t('common.actions'),
              cell: (s) => (
                <span className="actions">
                  <button type="button" className="secondary" onClick={() => setSelected(s.name)} aria-label={t('admin.numbersOf', { name: s.name })}>
                    {t('admin.numbers')}
                  </button>
                  <button type="button" className="secondary" onClick={() => setGatewaysOf(s.name)} aria-label={t('admin.gatewaysOf', { name: s.name })}>
                    {t('admin.gateways')}
                  </button>
                  <button type="button" className="secondary" onClick={() => rotate.mutate(s.name, { onSuccess: ({ key }) => setShown({ name: s.name, secret: key }) })} aria-label={`${t('admin.rotateKey')}: ${s.name}`}>
                    {t('admin.rotateKey')}
                  </button>
                  <button type="button" className="secondary" onClick={() => toggle.mutate(s)} aria-label={`${s.enabled ? t('admin.disable') : t('admin.enable')}: ${s.name}`}>
                    {s.enabled ? t('admin.disable') : t('admin.enable')}
                  </button>
                </span>
              ),
            },
          ]}
        />
      )}
      <p className="help">{t('admin.payoutsLater')}</p>
      {selected && <Numbers key={selected} supplier={selected} />}
      {selected && suppliers.data?.suppliers.find((s) => s.name === selected) && (
        <PayoutForm key={`payout-${selected}`} supplier={suppliers.data.suppliers.find((s) => s.name === selected)!} />
      )}
      {gatewaysOf && <Gateways key={gatewaysOf} supplier={gatewaysOf} />}
      <form className="card form" onSubmit={submit} aria-labelledby="new-supplier">
        <h2 id="new-supplier">{t('admin.newSupplier')}</h2>
        <label>
          {t('admin.name')}
          <input name="name" required maxLength={100} />
        </label>
        <label>
          {t('admin.sharePercent')}
          <input name="share" type="number" min={0} max={100} step={0.01} defaultValue={70} required />
        </label>
        <label>
          {t('admin.channels')}
          <input name="channels" defaultValue="6" pattern="[0-9, ]+" aria-describedby="channels-help" />
        </label>
        <span id="channels-help" className="help">
          {t('admin.channelsHelp')}
        </span>
        {create.isError && <ErrorMessage error={create.error} />}
        <button type="submit" disabled={create.isPending}>
          {t('admin.create')}
        </button>
      </form>
    </>
  );
}

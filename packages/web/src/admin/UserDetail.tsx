import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api, type OrderSummary, type Page } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { Table } from '../components/Table';
import { money, parseDollars } from '../format';
import { orderColumns } from '../pages/Orders';
import { usePageTitle } from '../title';
import { useChange } from './hooks';
import type { UserSummary } from './Users';

interface UserDetails extends UserSummary {
  apiKeyPrefix: string;
  limits: { maxActiveOrders: number | null; rateLimit: number | null };
  activeOrderCap: number;
  prices: { myPid: number; enname: string; price: number }[];
  createdAt: number;
}

/** An empty field: back to the operator's default (null). */
const limitValue = (text: string) => (text.trim() === '' ? null : Number(text));

export function UserDetail() {
  const { t } = useTranslation();
  const username = useParams().username!;
  usePageTitle(username);
  const path = `/admin/users/${encodeURIComponent(username)}`;
  const key = ['admin', 'user', username];
  const user = useQuery({ queryKey: key, queryFn: () => api.get<UserDetails>(path) });
  const orders = useQuery({ queryKey: ['admin', 'orders', username], queryFn: () => api.get<Page<'orders', OrderSummary>>(`/admin/orders?user=${encodeURIComponent(username)}&limit=10`) });
  const touches = [key, ['admin', 'users'], ['admin', 'audit']];
  const adjust = useChange((input: { amount: number; note: string }) => api.post(`${path}/balance`, input), touches);
  const limits = useChange((input: UserDetails['limits']) => api.put(`${path}/limits`, input), touches);
  const price = useChange((input: { myPid: number; price: number | null }) => api.put(`${path}/prices/${input.myPid}`, { price: input.price }), touches);
  const disable = useChange((disabled: boolean) => api.put(`${path}/disabled`, { disabled }), touches);
  const [badAmount, setBadAmount] = useState(false);

  if (user.isError) return <ErrorMessage error={user.error} retry={() => void user.refetch()} />;
  if (!user.data) return <p className="loading">{t('common.loading')}</p>;
  const u = user.data;

  const submitAdjust = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const amount = parseDollars(String(data.get('amount')));
    setBadAmount(!amount);
    if (amount) adjust.mutate({ amount, note: String(data.get('note')) }, { onSuccess: () => form.reset() });
  };
  const submitLimits = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    limits.mutate({ maxActiveOrders: limitValue(String(data.get('maxActiveOrders'))), rateLimit: limitValue(String(data.get('rateLimit'))) });
  };
  const submitPrice = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = String(data.get('price')).trim();
    price.mutate({ myPid: Number(data.get('myPid')), price: text === '' ? null : (parseDollars(text) ?? Number.NaN) });
  };

  return (
    <>
      <h1>{u.username}</h1>
      <div className="grid">
        <section className="card" aria-labelledby="user-summary">
          <h2 id="user-summary">{t('admin.summary')}</h2>
          <dl className="facts">
            <dt>{t('dashboard.balance')}</dt>
            <dd data-testid="user-balance">{money(u.balance)}</dd>
            <dt>{t('admin.held')}</dt>
            <dd>{money(u.held)}</dd>
            <dt>{t('admin.liveOrders')}</dt>
            <dd>
              {u.activeOrders} / {u.activeOrderCap === 0 ? '∞' : u.activeOrderCap}
            </dd>
            <dt>{t('admin.role')}</dt>
            <dd>{t(`admin.roles.${u.role}`)}</dd>
            <dt>{t('admin.email')}</dt>
            <dd>{u.email || '—'}</dd>
            <dt>{t('key.title')}</dt>
            <dd className="mono">{u.apiKeyPrefix}…</dd>
            <dt>{t('admin.state')}</dt>
            <dd>{u.disabled ? t('admin.disabled') : t('admin.enabled')}</dd>
          </dl>
          <button type="button" className={u.disabled ? undefined : 'danger'} onClick={() => disable.mutate(!u.disabled)} disabled={disable.isPending}>
            {u.disabled ? t('admin.enable') : t('admin.disable')}
          </button>
          {!u.disabled && <p className="help">{t('admin.disableHelp')}</p>}
          {disable.isError && <ErrorMessage error={disable.error} />}
        </section>

        <form className="card form" onSubmit={submitAdjust} aria-labelledby="adjust-title">
          <h2 id="adjust-title">{t('admin.adjust')}</h2>
          <label>
            {t('admin.amount')}
            <input name="amount" inputMode="decimal" required placeholder="10.00" aria-describedby="adjust-help" />
          </label>
          <span id="adjust-help" className="help">
            {t('admin.adjustHelp')}
          </span>
          <label>
            {t('admin.note')}
            <input name="note" maxLength={200} defaultValue={t('admin.defaultNote')} />
          </label>
          {badAmount && (
            <p role="alert" className="error">
              {t('errors.amount')}
            </p>
          )}
          {adjust.isError && <ErrorMessage error={adjust.error} />}
          {adjust.isSuccess && <p role="status">{t('admin.adjusted')}</p>}
          <button type="submit" disabled={adjust.isPending}>
            {t('admin.adjustSubmit')}
          </button>
        </form>

        <form className="card form" onSubmit={submitLimits} aria-labelledby="limits-title">
          <h2 id="limits-title">{t('admin.limits')}</h2>
          <p className="help">{t('admin.limitsHelp')}</p>
          <label>
            {t('admin.maxActiveOrders')}
            <input name="maxActiveOrders" type="number" min={0} defaultValue={u.limits.maxActiveOrders ?? ''} />
          </label>
          <label>
            {t('admin.rateLimit')}
            <input name="rateLimit" type="number" min={1} defaultValue={u.limits.rateLimit ?? ''} />
          </label>
          {limits.isError && <ErrorMessage error={limits.error} />}
          {limits.isSuccess && <p role="status">{t('common.saved')}</p>}
          <button type="submit" disabled={limits.isPending}>
            {t('common.save')}
          </button>
        </form>

        <section className="card" aria-labelledby="prices-title">
          <h2 id="prices-title">{t('admin.ownPrices')}</h2>
          <Table
            caption={t('admin.ownPrices')}
            rows={u.prices}
            rowKey={(p) => p.myPid}
            empty={t('admin.noOwnPrices')}
            columns={[
              { header: t('admin.project'), cell: (p) => `${p.enname} (${p.myPid})` },
              { header: t('orders.price'), cell: (p) => money(p.price), numeric: true },
            ]}
          />
          <form className="form" onSubmit={submitPrice}>
            <label>
              {t('admin.myPid')}
              <input name="myPid" type="number" min={1} required />
            </label>
            <label>
              {t('orders.price')}
              <input name="price" inputMode="decimal" aria-describedby="price-help" />
            </label>
            <span id="price-help" className="help">
              {t('admin.ownPriceHelp')}
            </span>
            {price.isError && <ErrorMessage error={price.error} />}
            <button type="submit" disabled={price.isPending}>
              {t('common.save')}
            </button>
          </form>
        </section>
      </div>
      <section aria-labelledby="user-orders">
        <h2 id="user-orders">{t('admin.recentOrders')}</h2>
        {orders.data && (
          <Table
            caption={t('admin.recentOrders')}
            rows={orders.data.orders}
            rowKey={(o) => o.orderId}
            columns={orderColumns(t)}
          />
        )}
      </section>
    </>
  );
}

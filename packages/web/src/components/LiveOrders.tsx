import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type LiveOrder } from '../api';
import { countryName, minutesSeconds, money } from '../format';
import { useLiveOrders, useServerNow } from '../live';
import { CopyButton } from './CopyButton';
import { ErrorMessage } from './ErrorMessage';

function OrderCard({ order, now }: { order: LiveOrder; now: number }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const end = useMutation({
    mutationFn: (how: 'release' | 'shield') => api.post<{ refunded: boolean }>(`/orders/${order.orderId}/${how}`),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ['live-orders'] });
      void client.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const waitMs = order.releasableAt - now;
  const canEnd = waitMs <= 0 && !end.isPending;
  const number = `+${order.number}`;
  return (
    <li className="card order" aria-labelledby={`order-${order.orderId}`}>
      <div className="order-head">
        <h3 id={`order-${order.orderId}`}>
          {order.enname} · {countryName(order.country)}
        </h3>
        <span className="price">{money(order.price)}</span>
      </div>
      <p className="number">
        <span className="mono">{number}</span> <CopyButton text={number} what={t('live.number')} />
      </p>
      <p className="countdown">
        {t('live.expiresIn')} <span role="timer" className="mono">{minutesSeconds(order.expiresAt - now)}</span>
      </p>
      {order.content === null ? (
        <p className="waiting">{t('live.waiting')}</p>
      ) : (
        <div className="sms">
          <p className="code">
            {order.code ? (
              <>
                <span className="visually-hidden">{t('live.code')}: </span>
                <span className="mono code-value">{order.code}</span> <CopyButton text={order.code} what={t('live.code')} />
              </>
            ) : (
              t('live.noCode')
            )}
          </p>
          <p className="message">
            <span className="visually-hidden">{t('live.message')}: </span>
            {order.content}
          </p>
          <CopyButton text={order.content} what={t('live.message')} />
        </div>
      )}
      <div className="actions">
        <button type="button" className="secondary" disabled={!canEnd} onClick={() => end.mutate('release')}>
          {waitMs > 0 ? t('live.releaseIn', { seconds: Math.ceil(waitMs / 1000) }) : t('live.release')}
        </button>
        <button type="button" className="secondary" disabled={!canEnd} onClick={() => end.mutate('shield')} aria-describedby={`shield-${order.orderId}`}>
          {t('live.shield')}
        </button>
        <span id={`shield-${order.orderId}`} className="help">
          {t('live.shieldHelp')}
        </span>
      </div>
      {end.isError && <ErrorMessage error={end.error} />}
    </li>
  );
}

/** Says "Code 51234 received" once for each code that appears, for screen readers. */
function useCodeAnnouncement(orders: LiveOrder[] | undefined): string {
  const { t } = useTranslation();
  const seen = useRef<Map<string, string | null> | undefined>(undefined);
  const [announcement, setAnnouncement] = useState('');
  useEffect(() => {
    if (!orders) return;
    const before = seen.current;
    seen.current = new Map(orders.map((o) => [o.orderId, o.content]));
    if (!before) return; // what was there when the page opened is not news
    const arrived = orders.find((o) => o.content !== null && before.get(o.orderId) !== o.content);
    if (arrived) setAnnouncement(t('live.arrived', { code: arrived.code || t('live.noCode'), number: `+${arrived.number}` }));
  }, [orders, t]);
  return announcement;
}

/** Every live order of the user, from every API surface, updating as SMS arrive. */
export function LiveOrders() {
  const { t } = useTranslation();
  const live = useLiveOrders();
  const now = useServerNow();
  const announcement = useCodeAnnouncement(live.data);
  return (
    <section aria-labelledby="live-title">
      <h2 id="live-title">{t('live.title')}</h2>
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
      {live.isError && <ErrorMessage error={live.error} retry={() => void live.refetch()} />}
      {live.isPending && <p className="loading">{t('common.loading')}</p>}
      {live.data?.length === 0 && <p className="empty">{t('live.none')}</p>}
      {live.data && live.data.length > 0 && (
        <ul className="orders">
          {live.data.map((order) => (
            <OrderCard key={order.orderId} order={order} now={now} />
          ))}
        </ul>
      )}
    </section>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { LiveOrders } from '../components/LiveOrders';
import { money } from '../format';
import { useMe } from '../session';
import { usePageTitle } from '../title';

function Balance() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <section className="card balance" aria-labelledby="balance-title">
      <h2 id="balance-title">{t('dashboard.balance')}</h2>
      {me.isError && <ErrorMessage error={me.error} retry={() => void me.refetch()} />}
      {me.data && (
        <>
          <p className="amount" data-testid="balance">
            {money(me.data.balance)}
          </p>
          {me.data.held > 0 && <p className="help">{t('dashboard.held', { amount: money(me.data.held) })}</p>}
          <p>
            <Link to="/recharges">{t('dashboard.recharge')}</Link> · <Link to="/buy">{t('dashboard.buy')}</Link>
          </p>
        </>
      )}
    </section>
  );
}

/** The API key: only its start is known to the server; a new one is shown once, here. */
function ApiKey({ onRotated }: { onRotated: (key: string) => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [shown, setShown] = useState<string>();
  const rotate = useMutation({
    mutationFn: () => api.post<{ apiKey: string }>('/me/api-key'),
    onSuccess: ({ apiKey }) => {
      setShown(apiKey);
      setConfirming(false);
      onRotated(apiKey);
      void client.invalidateQueries({ queryKey: ['me'] });
    },
  });
  return (
    <section className="card" aria-labelledby="key-title">
      <h2 id="key-title">{t('key.title')}</h2>
      {shown ? (
        <>
          <label>
            {t('key.new')}
            <input className="mono" readOnly value={shown} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <CopyButton text={shown} what={t('key.title')} />
          <p className="help" role="status">
            {t('key.shownOnce')}
          </p>
        </>
      ) : (
        me.data && (
          <p>
            <span className="mono" data-testid="masked-key" aria-label={t('key.masked', { prefix: me.data.apiKeyPrefix })}>
              {me.data.apiKeyPrefix}
              {'•'.repeat(26)}
            </span>
          </p>
        )
      )}
      {confirming ? (
        <div className="confirm" role="group" aria-labelledby="rotate-warning">
          <p id="rotate-warning">{t('key.rotateWarning')}</p>
          <button type="button" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
            {t('key.rotateConfirm')}
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <button type="button" className="secondary" onClick={() => setConfirming(true)}>
          {t('key.rotate')}
        </button>
      )}
      {rotate.isError && <ErrorMessage error={rotate.error} />}
    </section>
  );
}

function Example({ title, command }: { title: string; command: string }) {
  const { t } = useTranslation();
  return (
    <div className="example">
      <h3>{title}</h3>
      <pre tabIndex={0} aria-label={title}>
        <code>{command}</code>
      </pre>
      <CopyButton text={command} what={t('quickStart.command', { title })} />
    </div>
  );
}

/** The same orders through the three customer APIs; the key is filled in right after a rotation. */
function QuickStart({ apiKey }: { apiKey: string | undefined }) {
  const { t } = useTranslation();
  const base = window.location.origin;
  const key = apiKey ?? 'YOUR_API_KEY';
  return (
    <section className="card" aria-labelledby="quick-title">
      <h2 id="quick-title">{t('quickStart.title')}</h2>
      <p>
        {t('quickStart.baseUrl')} <span className="mono">{base}</span> <CopyButton text={base} what={t('quickStart.baseUrl')} />
      </p>
      {!apiKey && <p className="help">{t('quickStart.keyHelp')}</p>}
      <Example title="FASTPVA" command={`curl "${base}/pvapublic/sms/getNumber?myPid=MYPID&apikey=${key}"\ncurl "${base}/pvapublic/sms/getCode?orderId=ORDER_ID&apikey=${key}"`} />
      <Example title="SMS-Activate" command={`curl "${base}/stubs/handler_api.php?api_key=${key}&action=getNumber&service=tg&country=16"`} />
      <Example title="5SIM" command={`curl -H "Authorization: Bearer ${key}" "${base}/v1/user/buy/activation/england/any/telegram"`} />
    </section>
  );
}

export function Dashboard() {
  const { t } = useTranslation();
  usePageTitle(t('nav.dashboard'));
  const [apiKey, setApiKey] = useState<string>();
  return (
    <>
      <h1>{t('dashboard.title')}</h1>
      <div className="grid">
        <Balance />
        <ApiKey onRotated={setApiKey} />
      </div>
      <LiveOrders />
      <QuickStart apiKey={apiKey} />
    </>
  );
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, query, type Page, type SessionState, type WebhookDelivery } from '../api';
import { ConfirmPassword } from '../components/ConfirmPassword';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { Table } from '../components/Table';
import { dateTime } from '../format';
import { useMe, useStartSession } from '../session';
import { usePageTitle } from '../title';

function ChangePassword() {
  const { t } = useTranslation();
  const [mismatch, setMismatch] = useState(false);
  const change = useStartSession((input: { current: string; next: string }) => api.post<SessionState>('/me/password', input));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const next = String(data.get('next'));
    setMismatch(next !== String(data.get('confirm')));
    if (next === String(data.get('confirm'))) change.mutate({ current: String(data.get('current')), next }, { onSuccess: () => form.reset() });
  };
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="password-title">
      <h2 id="password-title">{t('account.password')}</h2>
      <p className="help">{t('account.passwordHelp')}</p>
      <label>
        {t('account.current')}
        <input name="current" type="password" autoComplete="current-password" required />
      </label>
      <label>
        {t('account.next')}
        <input name="next" type="password" autoComplete="new-password" required minLength={8} />
      </label>
      <ConfirmPassword mismatch={mismatch} />
      {change.isError && <ErrorMessage error={change.error} />}
      {change.isSuccess && <p role="status">{t('account.passwordChanged')}</p>}
      <button type="submit" disabled={change.isPending}>
        {t('account.changePassword')}
      </button>
    </form>
  );
}

/** An authenticator app's code at sign-in, for admins. */
function SecondFactor({ enabled }: { enabled: boolean }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const setUp = useMutation({ mutationFn: () => api.post<{ secret: string; uri: string }>('/me/second-factor/setup') });
  const toggle = useMutation({
    mutationFn: (code: string) => api.post(`/me/second-factor/${enabled ? 'disable' : 'enable'}`, { code }),
    onSuccess: () => {
      setUp.reset();
      void client.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    toggle.mutate(String(new FormData(form).get('code')), { onSuccess: () => form.reset() });
  };
  const codeForm = (
    <form onSubmit={submit} className="form">
      <label>
        {t('auth.code')}
        <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]{6,7}" required />
      </label>
      {toggle.isError && <ErrorMessage error={toggle.error} />}
      <button type="submit" disabled={toggle.isPending}>
        {enabled ? t('account.turnOff') : t('account.turnOn')}
      </button>
    </form>
  );
  return (
    <section className="card" aria-labelledby="factor-title">
      <h2 id="factor-title">{t('account.secondFactor')}</h2>
      <p role="status">{enabled ? t('account.factorOn') : t('account.factorOff')}</p>
      {enabled ? (
        codeForm
      ) : setUp.data ? (
        <>
          <p>{t('account.factorSetUp')}</p>
          <p>
            <span className="mono break" data-testid="totp-secret">
              {setUp.data.secret}
            </span>{' '}
            <CopyButton text={setUp.data.secret} what={t('account.secret')} />
          </p>
          <p>
            <span className="mono break">{setUp.data.uri}</span> <CopyButton text={setUp.data.uri} what={t('account.uri')} />
          </p>
          {codeForm}
        </>
      ) : (
        <button type="button" onClick={() => setUp.mutate()} disabled={setUp.isPending}>
          {t('account.setUp')}
        </button>
      )}
      {setUp.isError && <ErrorMessage error={setUp.error} />}
    </section>
  );
}

/** Where the user's sms.received and order.ended events go, the secret they are signed with (shown once), and how each delivery went. */
function Webhook() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const current = useQuery({ queryKey: ['webhook'], queryFn: () => api.get<{ webhook: { url: string; createdAt: number } | null }>('/webhook') });
  const deliveries = useQuery({
    queryKey: ['webhook', 'deliveries'],
    queryFn: () => api.get<Page<'deliveries', WebhookDelivery>>(`/webhook/deliveries${query({ limit: 20 })}`),
  });
  const refresh = () => void client.invalidateQueries({ queryKey: ['webhook'] });
  const set = useMutation({ mutationFn: (url: string) => api.put<{ url: string; secret: string }>('/webhook', { url }), onSuccess: refresh });
  const clear = useMutation({
    mutationFn: () => api.delete('/webhook'),
    onSuccess: () => {
      set.reset();
      refresh();
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    set.mutate(String(new FormData(event.currentTarget).get('url')));
  };
  const hook = current.data?.webhook;
  return (
    <section className="card" aria-labelledby="webhook-title">
      <h2 id="webhook-title">{t('webhook.title')}</h2>
      <p className="help">{t('webhook.help')}</p>
      {current.isError && <ErrorMessage error={current.error} retry={() => void current.refetch()} />}
      <p role="status">{hook ? t('webhook.current', { url: hook.url }) : t('webhook.none')}</p>
      <form onSubmit={submit} className="form">
        <label>
          {t('webhook.url')}
          <input name="url" type="url" inputMode="url" placeholder="https://example.com/fastpva" required maxLength={2048} />
        </label>
        {set.isError && <ErrorMessage error={set.error} />}
        <button type="submit" disabled={set.isPending}>
          {t('webhook.set')}
        </button>
      </form>
      {set.data && (
        <p>
          {t('webhook.secret')} <span className="mono break" data-testid="webhook-secret">{set.data.secret}</span>{' '}
          <CopyButton text={set.data.secret} what={t('webhook.secretWhat')} />
        </p>
      )}
      {hook && (
        <button type="button" className="secondary" onClick={() => clear.mutate()} disabled={clear.isPending}>
          {t('webhook.clear')}
        </button>
      )}
      {clear.isError && <ErrorMessage error={clear.error} />}
      <h3>{t('webhook.deliveries')}</h3>
      {deliveries.isError && <ErrorMessage error={deliveries.error} retry={() => void deliveries.refetch()} />}
      {deliveries.data && (
        <Table
          caption={t('webhook.deliveries')}
          rows={deliveries.data.deliveries}
          rowKey={(d) => `${d.eventId}-${d.attempt}`}
          empty={t('webhook.noDeliveries')}
          columns={[
            { header: t('webhook.at'), cell: (d) => dateTime(d.createdAt) },
            { header: t('webhook.event'), cell: (d) => <span className="mono">{d.type}</span> },
            { header: t('webhook.attempt'), cell: (d) => d.attempt, numeric: true },
            { header: t('webhook.outcome'), cell: (d) => (d.statusCode === null ? (d.error ?? '—') : `HTTP ${d.statusCode}`) },
            { header: t('webhook.duration'), cell: (d) => t('webhook.ms', { ms: d.durationMs }), numeric: true },
          ]}
        />
      )}
    </section>
  );
}

export function Account() {
  const { t } = useTranslation();
  usePageTitle(t('account.title'));
  const me = useMe();
  return (
    <>
      <h1>{t('account.title')}</h1>
      {me.isError && <ErrorMessage error={me.error} retry={() => void me.refetch()} />}
      {me.data && (
        <p>
          {t('account.signedInAs', { username: me.data.username })}
          {me.data.email && ` · ${me.data.email}`}
        </p>
      )}
      <div className="grid">
        <ChangePassword />
        {me.data?.role === 'admin' && <SecondFactor enabled={me.data.secondFactor} />}
        <Webhook />
      </div>
    </>
  );
}

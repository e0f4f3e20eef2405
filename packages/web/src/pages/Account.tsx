import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type SessionState } from '../api';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
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
      <label>
        {t('auth.confirmPassword')}
        <input name="confirm" type="password" autoComplete="new-password" required minLength={8} />
      </label>
      {mismatch && (
        <p role="alert" className="error">
          {t('auth.passwordsDiffer')}
        </p>
      )}
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
      {/* The customer's webhook settings (the webhooks issue) take their place in this grid as a card of their own. */}
      <div className="grid">
        <ChangePassword />
        {me.data?.role === 'admin' && <SecondFactor enabled={me.data.secondFactor} />}
      </div>
    </>
  );
}

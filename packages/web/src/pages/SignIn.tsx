import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ApiError, type SessionState } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { LanguageSelect } from '../components/Layout';
import { useSession, useStartSession } from '../session';
import { usePageTitle } from '../title';

export function SignIn() {
  const { t } = useTranslation();
  usePageTitle(t('auth.signIn'));
  const session = useSession();
  const [askCode, setAskCode] = useState(false);
  const signIn = useStartSession((form: { username: string; password: string; code?: string }) => api.post<SessionState>('/session', form));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const code = String(data.get('code') ?? '');
    signIn.mutate(
      { username: String(data.get('username')), password: String(data.get('password')), ...(code ? { code } : {}) },
      { onError: (error) => error instanceof ApiError && error.details.secondFactor && setAskCode(true) },
    );
  };
  const needsCode = signIn.error instanceof ApiError && signIn.error.details.secondFactor === 'required';
  const wrongPassword = signIn.error instanceof ApiError && signIn.error.code === 'unauthorized' && !signIn.error.details.secondFactor;

  return (
    <main id="main" className="standalone">
      <div className="standalone-tools">
        <LanguageSelect />
      </div>
      <h1>{t('auth.signInTitle')}</h1>
      <form onSubmit={submit} className="card form">
        <label>
          {t('auth.username')}
          <input name="username" autoComplete="username" required maxLength={64} autoFocus />
        </label>
        <label>
          {t('auth.password')}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {askCode && (
          <>
            <label>
              {t('auth.code')}
              <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]{6,7}" required autoFocus aria-describedby="code-help" />
            </label>
            <span id="code-help" className="help">
              {t('auth.codeHelp')}
            </span>
          </>
        )}
        {needsCode ? (
          <p role="status">{t('auth.codeNeeded')}</p>
        ) : wrongPassword ? (
          <p role="alert" className="error">
            {t('errors.wrongPassword')}
          </p>
        ) : (
          signIn.isError && <ErrorMessage error={signIn.error} />
        )}
        <button type="submit" disabled={signIn.isPending}>
          {t('auth.signIn')}
        </button>
      </form>
      {session.data?.signUpOpen && (
        <p>
          {t('auth.noAccount')} <Link to="/sign-up">{t('auth.signUp')}</Link>
        </p>
      )}
    </main>
  );
}

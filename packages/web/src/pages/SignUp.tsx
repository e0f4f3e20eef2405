import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type SessionState } from '../api';
import { ConfirmPassword } from '../components/ConfirmPassword';
import { ErrorMessage } from '../components/ErrorMessage';
import { LanguageSelect } from '../components/Layout';
import { useStartSession } from '../session';
import { usePageTitle } from '../title';

export function SignUp() {
  const { t } = useTranslation();
  usePageTitle(t('auth.signUp'));
  const [mismatch, setMismatch] = useState(false);
  const signUp = useStartSession((form: { username: string; password: string; email?: string }) => api.post<SessionState>('/users', form));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const password = String(data.get('password'));
    setMismatch(password !== String(data.get('confirm')));
    if (password !== String(data.get('confirm'))) return;
    const email = String(data.get('email') ?? '').trim();
    signUp.mutate({ username: String(data.get('username')).trim(), password, ...(email ? { email } : {}) });
  };

  return (
    <main id="main" className="standalone">
      <div className="standalone-tools">
        <LanguageSelect />
      </div>
      <h1>{t('auth.signUpTitle')}</h1>
      <form onSubmit={submit} className="card form">
        <label>
          {t('auth.username')}
          <input name="username" autoComplete="username" required minLength={3} maxLength={64} pattern="[A-Za-z0-9_.@\-]+" aria-describedby="username-help" autoFocus />
        </label>
        <span id="username-help" className="help">
          {t('auth.usernameHelp')}
        </span>
        <label>
          {t('auth.emailOptional')}
          <input name="email" type="email" autoComplete="email" maxLength={254} />
        </label>
        <label>
          {t('auth.password')}
          <input name="password" type="password" autoComplete="new-password" required minLength={8} aria-describedby="password-help" />
        </label>
        <span id="password-help" className="help">
          {t('auth.passwordHelp')}
        </span>
        <ConfirmPassword mismatch={mismatch} />
        {signUp.isError && <ErrorMessage error={signUp.error} />}
        <button type="submit" disabled={signUp.isPending}>
          {t('auth.signUp')}
        </button>
      </form>
      <p>
        {t('auth.haveAccount')} <Link to="/sign-in">{t('auth.signIn')}</Link>
      </p>
    </main>
  );
}

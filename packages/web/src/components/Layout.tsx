import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, useLocation } from 'react-router';
import type { SessionState } from '../api';
import { LANGUAGES } from '../i18n';
import { useOrderEvents } from '../live';
import { useSignOut } from '../session';
import { ErrorMessage } from './ErrorMessage';

export function LanguageSelect() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language">
      <span className="visually-hidden">{t('nav.language')}</span>
      <select value={i18n.language} onChange={(e) => void i18n.changeLanguage(e.target.value)}>
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout({ user, children }: { user: NonNullable<SessionState['user']>; children: ReactNode }) {
  const { t } = useTranslation();
  const signOut = useSignOut();
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const first = useRef(true);
  useOrderEvents();

  // A new page moves the focus to its content, as a page load would, so that keyboard and screen
  // reader users start there.
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [pathname]);

  const links = [
    ['/', t('nav.dashboard')],
    ['/buy', t('nav.buy')],
    ['/orders', t('nav.orders')],
    ['/recharges', t('nav.recharges')],
    ['/account', t('nav.account')],
    ...(user.role === 'admin' ? [['/admin', t('nav.admin')]] : []),
  ] as const;

  return (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="top">
        <Link to="/" className="brand">
          fastpva
        </Link>
        <nav aria-label={t('nav.label')}>
          <ul>
            {links.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to} end={to === '/'}>
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="tools">
          <LanguageSelect />
          <span className="who" title={t('nav.signedInAs', { username: user.username })}>
            {user.username}
          </span>
          <button type="button" className="secondary" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      {signOut.isError && <ErrorMessage error={signOut.error} />}
      <main id="main" tabIndex={-1} ref={main}>
        {children}
      </main>
    </>
  );
}

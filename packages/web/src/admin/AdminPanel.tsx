// The admin panel, loaded on demand: one page per thing admins look after. The server checks the
// admin role on every call; this only hides what a user could not do anyway.
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Route, Routes } from 'react-router';
import { AuditLog } from './AuditLog';
import { Blacklist } from './Blacklist';
import { Ledger } from './Ledger';
import { Projects } from './Projects';
import { AdminRecharges } from './Recharges';
import { UnmatchedSms } from './Sms';
import { Suppliers } from './Suppliers';
import { UserDetail } from './UserDetail';
import { Users } from './Users';

// The charts library is the biggest piece of the panel: only the overview loads it.
const Overview = lazy(() => import('./Overview'));

export default function AdminPanel() {
  const { t } = useTranslation();
  // Webhook delivery logs (the webhooks issue) become a page of their own in this list and in the routes below.
  const pages = [
    ['', t('admin.overview')],
    ['users', t('admin.users')],
    ['projects', t('admin.projects')],
    ['suppliers', t('admin.suppliers')],
    ['recharges', t('admin.recharges')],
    ['sms', t('admin.sms')],
    ['blacklist', t('admin.blacklist')],
    ['ledger', t('admin.ledger')],
    ['audit', t('admin.audit')],
  ] as const;
  return (
    <>
      <nav aria-label={t('admin.title')} className="subnav">
        <ul>
          {pages.map(([path, label]) => (
            <li key={path}>
              <NavLink to={`/admin${path ? `/${path}` : ''}`} end={path === ''}>
                {label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Routes>
        <Route
          index
          element={
            <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>
              <Overview />
            </Suspense>
          }
        />
        <Route path="users" element={<Users />} />
        <Route path="users/:username" element={<UserDetail />} />
        <Route path="projects" element={<Projects />} />
        <Route path="suppliers" element={<Suppliers />} />
        <Route path="recharges" element={<AdminRecharges />} />
        <Route path="sms" element={<UnmatchedSms />} />
        <Route path="blacklist" element={<Blacklist />} />
        <Route path="ledger" element={<Ledger />} />
        <Route path="audit" element={<AuditLog />} />
        <Route path="*" element={<h1>{t('common.notFound')}</h1>} />
      </Routes>
    </>
  );
}

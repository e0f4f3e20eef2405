import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { ErrorMessage } from './components/ErrorMessage';
import { Layout } from './components/Layout';
import { Account } from './pages/Account';
import { Buy } from './pages/Buy';
import { Dashboard } from './pages/Dashboard';
import { Orders } from './pages/Orders';
import { Recharges } from './pages/Recharges';
import { SignIn } from './pages/SignIn';
import { SignUp } from './pages/SignUp';
import { useSession } from './session';

// The admin panel and its charts load only when an admin opens it: the user center stays small.
const AdminPanel = lazy(() => import('./admin/AdminPanel'));

export function App() {
  const { t } = useTranslation();
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <p className="loading">{t('common.loading')}</p>;
  if (session.isError) return <main className="standalone"><ErrorMessage error={session.error} retry={() => void session.refetch()} /></main>;
  const user = session.data.user;

  if (!user) {
    return (
      <Routes>
        <Route path="/sign-in" element={<SignIn />} />
        <Route path="/sign-up" element={session.data.signUpOpen ? <SignUp /> : <Navigate to="/sign-in" replace />} />
        <Route path="*" element={<Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />} />
      </Routes>
    );
  }
  return (
    <Layout user={user}>
      <Routes>
        <Route path="/" element={<Dashboard />} />
        <Route path="/buy" element={<Buy />} />
        <Route path="/orders" element={<Orders />} />
        <Route path="/recharges" element={<Recharges />} />
        <Route path="/account" element={<Account />} />
        <Route
          path="/admin/*"
          element={
            user.role === 'admin' ? (
              <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>
                <AdminPanel />
              </Suspense>
            ) : (
              <section>
                <h1>{t('admin.title')}</h1>
                <p role="alert" className="error">{t('errors.forbidden')}</p>
              </section>
            )
          }
        />
        <Route path="/sign-in" element={<Navigate to={(location.state as { from?: string } | null)?.from ?? '/'} replace />} />
        <Route path="/sign-up" element={<Navigate to="/" replace />} />
        <Route path="*" element={<section><h1>{t('common.notFound')}</h1></section>} />
      </Routes>
    </Layout>
  );
}

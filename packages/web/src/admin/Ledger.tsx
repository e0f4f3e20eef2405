import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { Table } from '../components/Table';
import { money } from '../format';
import { usePageTitle } from '../title';

interface Audit {
  ok: boolean;
  total: number;
  accounts: number;
  holdsResolvedTwice: number[];
  mismatched: { id: number; kind: string; balance: number; derivedBalance: number; held: number; derivedHeld: number; activeOrders: number; derivedActiveOrders: number }[];
}

/** Every balance re-derived from the ledger's transfers, on demand (it reads them all). */
export function Ledger() {
  const { t } = useTranslation();
  usePageTitle(t('admin.ledger'));
  const audit = useQuery({ queryKey: ['admin', 'ledger'], queryFn: () => api.get<Audit>('/admin/ledger'), enabled: false, staleTime: 0 });
  return (
    <>
      <h1>{t('admin.ledger')}</h1>
      <p className="help">{t('admin.ledgerHelp')}</p>
      <button type="button" onClick={() => void audit.refetch()} disabled={audit.isFetching}>
        {t('admin.runAudit')}
      </button>
      {audit.isError && <ErrorMessage error={audit.error} />}
      {audit.data && (
        <div role="status">
          <p className={audit.data.ok ? 'ok' : 'error'}>{audit.data.ok ? t('admin.ledgerOk', { accounts: audit.data.accounts }) : t('admin.ledgerBad', { total: money(audit.data.total) })}</p>
          {audit.data.holdsResolvedTwice.length > 0 && <p className="error">{t('admin.holdsTwice', { holds: audit.data.holdsResolvedTwice.join(', ') })}</p>}
          {audit.data.mismatched.length > 0 && (
            <Table
              caption={t('admin.mismatched')}
              rows={audit.data.mismatched}
              rowKey={(a) => a.id}
              columns={[
                { header: t('admin.account'), cell: (a) => `${a.kind} #${a.id}` },
                { header: t('dashboard.balance'), cell: (a) => `${money(a.balance)} / ${money(a.derivedBalance)}`, numeric: true },
                { header: t('admin.held'), cell: (a) => `${money(a.held)} / ${money(a.derivedHeld)}`, numeric: true },
                { header: t('admin.liveOrders'), cell: (a) => `${a.activeOrders} / ${a.derivedActiveOrders}`, numeric: true },
              ]}
            />
          )}
        </div>
      )}
    </>
  );
}

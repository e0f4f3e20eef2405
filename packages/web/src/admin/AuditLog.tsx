import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, query, type Page } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { Pager, Table } from '../components/Table';
import { dateTime } from '../format';
import { usePageTitle } from '../title';

interface Entry {
  id: number;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  createdAt: number;
}

const PAGE_SIZE = 20;
const state = (value: unknown) => (value === null || value === undefined ? '—' : <code className="state">{JSON.stringify(value, null, 1)}</code>);

/** Every admin action: who, what, on what, when, before and after. */
export function AuditLog() {
  const { t } = useTranslation();
  usePageTitle(t('admin.audit'));
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  useEffect(() => setPage(1), [search]);
  const log = useQuery({
    queryKey: ['admin', 'audit', search, page],
    queryFn: () => api.get<Page<'entries', Entry>>(`/admin/audit${query({ search, page, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>{t('admin.audit')}</h1>
      <div className="filters" role="search">
        <label>
          {t('admin.searchAudit')}
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value.trim())} />
        </label>
      </div>
      {log.isError && <ErrorMessage error={log.error} retry={() => void log.refetch()} />}
      {log.data && (
        <>
          <Table
            caption={t('admin.audit')}
            rows={log.data.entries}
            rowKey={(e) => e.id}
            columns={[
              { header: t('admin.when'), cell: (e) => dateTime(e.createdAt) },
              { header: t('admin.who'), cell: (e) => e.actor },
              { header: t('admin.action'), cell: (e) => <span className="mono">{e.action}</span> },
              { header: t('admin.target'), cell: (e) => <span className="mono">{e.target}</span> },
              { header: t('admin.before'), cell: (e) => state(e.before) },
              { header: t('admin.after'), cell: (e) => state(e.after) },
            ]}
          />
          <Pager page={page} limit={PAGE_SIZE} count={log.data.count} shown={log.data.entries.length} onPage={setPage} />
        </>
      )}
    </>
  );
}

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, query, type Page, type Role } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { Pager, Table } from '../components/Table';
import { money } from '../format';
import { usePageTitle } from '../title';

export interface UserSummary {
  username: string;
  email: string;
  role: Role;
  disabled: boolean;
  balance: number;
  held: number;
  activeOrders: number;
}

const PAGE_SIZE = 20;

export function Users() {
  const { t } = useTranslation();
  usePageTitle(t('admin.users'));
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  useEffect(() => setPage(1), [search]);
  const users = useQuery({
    queryKey: ['admin', 'users', search, page],
    queryFn: () => api.get<Page<'users', UserSummary>>(`/admin/users${query({ search, page, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>{t('admin.users')}</h1>
      <div className="filters" role="search">
        <label>
          {t('admin.searchUsers')}
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value.trim())} />
        </label>
      </div>
      {users.isError && <ErrorMessage error={users.error} retry={() => void users.refetch()} />}
      {users.data && (
        <>
          <Table
            caption={t('admin.users')}
            rows={users.data.users}
            rowKey={(u) => u.username}
            columns={[
              { header: t('auth.username'), cell: (u) => <Link to={`/admin/users/${encodeURIComponent(u.username)}`}>{u.username}</Link> },
              { header: t('admin.email'), cell: (u) => u.email || '—' },
              { header: t('admin.role'), cell: (u) => t(`admin.roles.${u.role}`) },
              { header: t('admin.state'), cell: (u) => (u.disabled ? <span className="badge failed">{t('admin.disabled')}</span> : t('admin.enabled')) },
              { header: t('dashboard.balance'), cell: (u) => money(u.balance), numeric: true },
              { header: t('admin.held'), cell: (u) => money(u.held), numeric: true },
              { header: t('admin.liveOrders'), cell: (u) => u.activeOrders, numeric: true },
            ]}
          />
          <Pager page={page} limit={PAGE_SIZE} count={users.data.count} shown={users.data.users.length} onPage={setPage} />
        </>
      )}
    </>
  );
}

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, query, type Page } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { Pager, Table } from '../components/Table';
import { dateTime } from '../format';
import { usePageTitle } from '../title';
import { useChange } from './hooks';

interface Entry {
  number: string;
  myPid: number;
  enname: string;
  reason: 'quorum' | 'admin';
  note: string;
  shields: number;
  createdAt: number;
}

const PAGE_SIZE = 20;

export function Blacklist() {
  const { t } = useTranslation();
  usePageTitle(t('admin.blacklist'));
  const [page, setPage] = useState(1);
  const list = useQuery({
    queryKey: ['admin', 'blacklist', page],
    queryFn: () => api.get<Page<'entries', Entry>>(`/admin/blacklist${query({ page, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
  const touches = [['admin', 'blacklist'], ['admin', 'audit']];
  const add = useChange((entry: { number: string; myPid: number; note: string }) => api.post('/admin/blacklist', entry), touches);
  const remove = useChange((e: Entry) => api.delete(`/admin/blacklist/${e.myPid}/${e.number}`), touches);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    add.mutate({ number: String(data.get('number')).trim(), myPid: Number(data.get('myPid')), note: String(data.get('note')) }, { onSuccess: () => form.reset() });
  };
  return (
    <>
      <h1>{t('admin.blacklist')}</h1>
      <p className="help">{t('admin.blacklistHelp')}</p>
      {remove.isError && <ErrorMessage error={remove.error} />}
      {list.isError && <ErrorMessage error={list.error} retry={() => void list.refetch()} />}
      {list.data && (
        <>
          <Table
            caption={t('admin.blacklist')}
            rows={list.data.entries}
            rowKey={(e) => `${e.myPid}:${e.number}`}
            columns={[
              { header: t('orders.number'), cell: (e) => <span className="mono">+{e.number}</span> },
              { header: t('admin.project'), cell: (e) => `${e.enname} (${e.myPid})` },
              { header: t('admin.reason'), cell: (e) => t(`admin.blacklistReasons.${e.reason}`) },
              { header: t('admin.shields'), cell: (e) => e.shields, numeric: true },
              { header: t('admin.note'), cell: (e) => e.note || '—' },
              { header: t('recharges.created'), cell: (e) => dateTime(e.createdAt) },
              {
                header: t('common.actions'),
                cell: (e) => (
                  <button type="button" className="secondary" onClick={() => remove.mutate(e)} aria-label={t('admin.unblacklist', { number: `+${e.number}`, project: e.enname })}>
                    {t('common.remove')}
                  </button>
                ),
              },
            ]}
          />
          <Pager page={page} limit={PAGE_SIZE} count={list.data.count} shown={list.data.entries.length} onPage={setPage} />
        </>
      )}
      <form className="card form" onSubmit={submit} aria-labelledby="blacklist-add">
        <h2 id="blacklist-add">{t('admin.blacklistAdd')}</h2>
        <label>
          {t('orders.number')}
          <input name="number" inputMode="tel" required />
        </label>
        <label>
          {t('admin.myPid')}
          <input name="myPid" type="number" min={1} required />
        </label>
        <label>
          {t('admin.note')}
          <input name="note" maxLength={200} />
        </label>
        {add.isError && <ErrorMessage error={add.error} />}
        <button type="submit" disabled={add.isPending}>
          {t('admin.blacklistAddSubmit')}
        </button>
      </form>
    </>
  );
}

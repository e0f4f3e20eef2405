import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** Right-aligned (amounts). */
  numeric?: boolean;
}

/**
 * A table; on a phone each row becomes a card of "header: value" lines (styles.css). The explicit roles
 * keep it a table to screen readers when CSS displays its parts as blocks. A table still too wide
 * scrolls sideways in a region the keyboard can reach.
 */
export function Table<T>({ caption, columns, rows, rowKey, empty }: { caption: string; columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string | number; empty?: string }) {
  const { t } = useTranslation();
  if (rows.length === 0) return <p className="empty">{empty ?? t('common.none')}</p>;
  return (
    <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table role="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead role="rowgroup">
          <tr role="row">
            {columns.map((c) => (
              <th key={c.header} role="columnheader" scope="col" className={c.numeric ? 'numeric' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup">
          {rows.map((row) => (
            <tr key={rowKey(row)} role="row">
              {columns.map((c) => (
                <td key={c.header} role="cell" data-label={c.header} className={c.numeric ? 'numeric' : undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Previous and next page; `count` is the total when the server gives one, else more pages are assumed while pages are full. */
export function Pager({ page, limit, count, shown, onPage }: { page: number; limit: number; count?: number; shown: number; onPage: (page: number) => void }) {
  const { t } = useTranslation();
  const pages = count === undefined ? undefined : Math.max(1, Math.ceil(count / limit));
  const hasNext = pages === undefined ? shown === limit : page < pages;
  if (page === 1 && !hasNext) return null;
  return (
    <nav className="pager" aria-label={t('common.pages')}>
      <button type="button" className="secondary" onClick={() => onPage(page - 1)} disabled={page <= 1}>
        {t('common.previous')}
      </button>
      <span>{pages === undefined ? t('common.page', { page }) : t('common.pageOf', { page, pages })}</span>
      <button type="button" className="secondary" onClick={() => onPage(page + 1)} disabled={!hasNext}>
        {t('common.next')}
      </button>
    </nav>
  );
}

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, query, type Page } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { Pager, Table } from '../components/Table';
import { countryName, money, parseDollars } from '../format';
import { usePageTitle } from '../title';
import { useChange } from './hooks';

interface Project {
  myPid: number;
  enname: string;
  channel: number;
  service: string;
  enabled: boolean;
  sellingPrice: number;
  countryPrices: Record<string, number> | null;
}

interface ProjectInput {
  name: string;
  channel: number;
  service?: string;
  price?: number;
  countryPrices?: Record<string, number>;
}

const PAGE_SIZE = 20;
const dollars = (cents: number) => (cents / 100).toFixed(2);

/** Create or edit: a name, a channel, and one price or a price per country. */
function ProjectForm({ project, onDone }: { project?: Project; onDone: () => void }) {
  const { t } = useTranslation();
  const [perCountry, setPerCountry] = useState(Boolean(project?.countryPrices));
  const [rows, setRows] = useState<{ id: number; country: string; price: string }[]>(() =>
    Object.entries(project?.countryPrices ?? { '': 0 }).map(([country, price], id) => ({ id, country, price: country ? dollars(price) : '' })),
  );
  const [problem, setProblem] = useState('');
  const touches = [['admin', 'projects'], ['admin', 'audit'], ['offers']];
  const save = useChange((input: ProjectInput) => (project ? api.patch(`/admin/projects/${project.myPid}`, input) : api.post('/admin/projects', input)), touches);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const input: ProjectInput = { name: String(data.get('name')).trim(), channel: Number(data.get('channel')) };
    const service = String(data.get('service') ?? '').trim();
    if (service) input.service = service;
    if (perCountry) {
      const prices: Record<string, number> = {};
      for (const row of rows) {
        const cents = parseDollars(row.price);
        if (!/^[A-Za-z]{2}$/.test(row.country.trim()) || cents === undefined || cents < 0) return setProblem(t('admin.countryPriceProblem'));
        prices[row.country.trim().toUpperCase()] = cents;
      }
      input.countryPrices = prices;
    } else {
      const cents = parseDollars(String(data.get('price')));
      if (cents === undefined || cents < 0) return setProblem(t('errors.amount'));
      input.price = cents;
    }
    setProblem('');
    save.mutate(input, { onSuccess: onDone });
  };

  const title = project ? t('admin.editProject', { name: project.enname }) : t('admin.newProject');
  return (
    <form className="card form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <label>
        {t('admin.name')}
        <input name="name" required maxLength={100} defaultValue={project?.enname} />
      </label>
      <label>
        {t('admin.channel')}
        <input name="channel" type="number" min={0} required defaultValue={project?.channel ?? 6} />
      </label>
      <label>
        {t('admin.service')}
        <input name="service" maxLength={100} defaultValue={project?.service} aria-describedby="service-help" />
      </label>
      <span id="service-help" className="help">
        {t('admin.serviceHelp')}
      </span>
      <fieldset>
        <legend>{t('admin.pricing')}</legend>
        <label className="check">
          <input type="radio" name="pricing" checked={!perCountry} onChange={() => setPerCountry(false)} />
          {t('admin.onePrice')}
        </label>
        <label className="check">
          <input type="radio" name="pricing" checked={perCountry} onChange={() => setPerCountry(true)} />
          {t('admin.pricePerCountry')}
        </label>
      </fieldset>
      {perCountry ? (
        <fieldset>
          <legend>{t('admin.countryPrices')}</legend>
          {rows.map((row, index) => (
            <div className="row" key={row.id}>
              <label>
                {t('admin.countryCode')}
                <input
                  value={row.country}
                  onChange={(e) => setRows(rows.map((r) => (r.id === row.id ? { ...r, country: e.target.value } : r)))}
                  maxLength={2}
                  required
                  autoCapitalize="characters"
                  placeholder="GB"
                  size={4}
                />
              </label>
              <label>
                {t('orders.price')}
                <input value={row.price} onChange={(e) => setRows(rows.map((r) => (r.id === row.id ? { ...r, price: e.target.value } : r)))} inputMode="decimal" required placeholder="0.30" size={8} />
              </label>
              <button type="button" className="secondary" onClick={() => setRows(rows.filter((r) => r.id !== row.id))} disabled={rows.length === 1} aria-label={t('admin.removeCountry', { index: index + 1 })}>
                ✕
              </button>
            </div>
          ))}
          <button type="button" className="secondary" onClick={() => setRows([...rows, { id: Math.max(...rows.map((r) => r.id)) + 1, country: '', price: '' }])}>
            {t('admin.addCountry')}
          </button>
        </fieldset>
      ) : (
        <label>
          {t('orders.price')}
          <input name="price" inputMode="decimal" required placeholder="0.30" defaultValue={project && !project.countryPrices ? dollars(project.sellingPrice) : ''} />
        </label>
      )}
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {save.isError && <ErrorMessage error={save.error} />}
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          {project ? t('common.save') : t('admin.create')}
        </button>
        {project && (
          <button type="button" className="secondary" onClick={onDone}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

export function Projects() {
  const { t } = useTranslation();
  usePageTitle(t('admin.projects'));
  const [keyword, setKeyword] = useState('');
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Project>();
  const [created, setCreated] = useState(0);
  const projects = useQuery({
    queryKey: ['admin', 'projects', keyword, page],
    queryFn: () => api.get<Page<'projects', Project>>(`/admin/projects${query({ keyword, page, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
  const toggle = useChange((p: Project) => api.put(`/admin/projects/${p.myPid}/enabled`, { enabled: !p.enabled }), [['admin', 'projects'], ['admin', 'audit'], ['offers']]);
  const prices = (p: Project) =>
    p.countryPrices
      ? Object.entries(p.countryPrices)
          .map(([c, cents]) => `${c} ${money(cents)}`)
          .join(', ')
      : money(p.sellingPrice);
  return (
    <>
      <h1>{t('admin.projects')}</h1>
      <div className="filters" role="search">
        <label>
          {t('buy.search')}
          <input type="search" value={keyword} onChange={(e) => (setKeyword(e.target.value.trim()), setPage(1))} />
        </label>
      </div>
      {projects.isError && <ErrorMessage error={projects.error} retry={() => void projects.refetch()} />}
      {toggle.isError && <ErrorMessage error={toggle.error} />}
      {projects.data && (
        <>
          <Table
            caption={t('admin.projects')}
            rows={projects.data.projects}
            rowKey={(p) => p.myPid}
            columns={[
              { header: t('admin.myPid'), cell: (p) => p.myPid, numeric: true },
              { header: t('admin.name'), cell: (p) => p.enname },
              { header: t('admin.channel'), cell: (p) => p.channel, numeric: true },
              { header: t('admin.service'), cell: (p) => p.service },
              { header: t('admin.prices'), cell: (p) => <span title={p.countryPrices ? Object.keys(p.countryPrices).map(countryName).join(', ') : undefined}>{prices(p)}</span> },
              { header: t('admin.state'), cell: (p) => (p.enabled ? t('admin.enabled') : <span className="badge failed">{t('admin.disabled')}</span>) },
              {
                header: t('common.actions'),
                cell: (p) => (
                  <span className="actions">
                    <button type="button" className="secondary" onClick={() => setEditing(p)} aria-label={t('admin.editProject', { name: p.enname })}>
                      {t('common.edit')}
                    </button>
                    <button type="button" className="secondary" onClick={() => toggle.mutate(p)} aria-label={`${p.enabled ? t('admin.disable') : t('admin.enable')} ${p.enname}`}>
                      {p.enabled ? t('admin.disable') : t('admin.enable')}
                    </button>
                  </span>
                ),
              },
            ]}
          />
          <Pager page={page} limit={PAGE_SIZE} count={projects.data.count} shown={projects.data.projects.length} onPage={setPage} />
        </>
      )}
      {editing ? (
        <ProjectForm key={editing.myPid} project={editing} onDone={() => setEditing(undefined)} />
      ) : (
        <ProjectForm key={`new-${created}`} onDone={() => setCreated((n) => n + 1)} />
      )}
    </>
  );
}

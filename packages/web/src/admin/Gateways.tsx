import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { Table } from '../components/Table';
import { dateTime } from '../format';
import { useChange } from './hooks';

interface Gateway {
  id: number;
  kind: string;
  /** The URL path with its token cut short: the whole token is shown once. */
  path: string;
  signed: boolean;
  createdAt: number;
}

/** What README "Connecting SMS gateways" configures; the server refuses any other. */
const KINDS = ['android-sms-gateway', 'twilio', 'jasmin', 'kannel', 'dinstar', 'smssync', 'generic'];

/** A supplier's SMS gateways: the URL each posts to (shown once, with its token), added, renewed, removed. */
export function Gateways({ supplier }: { supplier: string }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState<{ kind: string; url: string }>();
  const base = `/admin/suppliers/${encodeURIComponent(supplier)}/gateways`;
  const gateways = useQuery({ queryKey: ['admin', 'gateways', supplier], queryFn: () => api.get<{ gateways: Gateway[] }>(base) });
  const touches = [['admin', 'gateways', supplier], ['admin', 'audit']];
  const show = ({ kind, path }: { kind: string; path: string }) => setShown({ kind, url: `${window.location.origin}${path}` });
  const add = useChange((input: { kind: string; signingKey?: string; authToken?: string }) => api.post<{ kind: string; path: string }>(base, input), touches);
  const rotate = useChange((id: number) => api.post<{ kind: string; path: string }>(`${base}/${id}/token`), touches);
  const remove = useChange((id: number) => api.delete(`${base}/${id}`), touches);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const secret = (name: string) => String(data.get(name) ?? '').trim() || undefined;
    add.mutate(
      { kind: String(data.get('kind')), signingKey: secret('signingKey'), authToken: secret('authToken') },
      {
        onSuccess: (gateway) => {
          show(gateway);
          form.reset();
        },
      },
    );
  };

  return (
    <section aria-labelledby="gateways-title">
      <h2 id="gateways-title">{t('admin.gatewaysOf', { name: supplier })}</h2>
      {shown && (
        <div className="card notice" role="status">
          <p>{t('admin.gatewayShownOnce', { kind: shown.kind })}</p>
          <p>
            <span className="mono break" data-testid="gateway-url">
              {shown.url}
            </span>{' '}
            <CopyButton text={shown.url} what={t('admin.gatewayUrl')} />
          </p>
        </div>
      )}
      {gateways.isError && <ErrorMessage error={gateways.error} retry={() => void gateways.refetch()} />}
      {[rotate, remove].map((m, i) => m.isError && <ErrorMessage key={i} error={m.error} />)}
      {gateways.data && (
        <Table
          caption={t('admin.gatewaysOf', { name: supplier })}
          rows={gateways.data.gateways}
          rowKey={(g) => g.id}
          empty={t('admin.noGateways')}
          columns={[
            { header: t('admin.gatewayKind'), cell: (g) => g.kind },
            { header: t('admin.gatewayUrl'), cell: (g) => <span className="mono break">{g.path}</span> },
            { header: t('admin.signed'), cell: (g) => (g.signed ? t('admin.yes') : t('admin.no')) },
            { header: t('admin.registered'), cell: (g) => dateTime(g.createdAt) },
            {
              header: t('common.actions'),
              cell: (g) => (
                <span className="actions">
                  <button type="button" className="secondary" onClick={() => rotate.mutate(g.id, { onSuccess: show })} aria-label={`${t('admin.newUrl')}: ${g.kind} ${g.id}`}>
                    {t('admin.newUrl')}
                  </button>
                  <button type="button" className="secondary" onClick={() => remove.mutate(g.id)} aria-label={`${t('common.remove')}: ${g.kind} ${g.id}`}>
                    {t('common.remove')}
                  </button>
                </span>
              ),
            },
          ]}
        />
      )}
      <form className="card form" onSubmit={submit} aria-labelledby="new-gateway">
        <h3 id="new-gateway">{t('admin.addGateway')}</h3>
        <label>
          {t('admin.gatewayKind')}
          <select name="kind" defaultValue="generic">
            {KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('admin.signingKey')}
          <input name="signingKey" autoComplete="off" maxLength={200} />
        </label>
        <label>
          {t('admin.authToken')}
          <input name="authToken" autoComplete="off" maxLength={200} />
        </label>
        {add.isError && <ErrorMessage error={add.error} />}
        <button type="submit" disabled={add.isPending}>
          {t('admin.addGateway')}
        </button>
      </form>
    </section>
  );
}

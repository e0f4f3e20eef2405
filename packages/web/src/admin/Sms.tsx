import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { Table } from '../components/Table';
import { dateTime } from '../format';
import { usePageTitle } from '../title';

interface UnmatchedSms {
  id: number;
  receiver: string;
  sender: string;
  text: string;
  reason: 'no_live_order' | 'other_service' | 'no_code';
  candidateOrderId: string | null;
  receivedAt: number;
}

/** SMS no order took, never charged, each with why. */
export function UnmatchedSms() {
  const { t } = useTranslation();
  usePageTitle(t('admin.sms'));
  const sms = useQuery({ queryKey: ['admin', 'sms'], queryFn: () => api.get<{ sms: UnmatchedSms[] }>('/admin/sms/unmatched?limit=200') });
  return (
    <>
      <h1>{t('admin.sms')}</h1>
      <p className="help">{t('admin.smsHelp')}</p>
      {sms.isError && <ErrorMessage error={sms.error} retry={() => void sms.refetch()} />}
      {sms.data && (
        <Table
          caption={t('admin.sms')}
          rows={sms.data.sms}
          rowKey={(m) => m.id}
          columns={[
            { header: t('admin.received'), cell: (m) => dateTime(m.receivedAt) },
            { header: t('orders.number'), cell: (m) => <span className="mono">+{m.receiver}</span> },
            { header: t('admin.sender'), cell: (m) => m.sender || '—' },
            { header: t('admin.reason'), cell: (m) => t(`admin.reasons.${m.reason}`) },
            { header: t('admin.keptFrom'), cell: (m) => (m.candidateOrderId ? <span className="mono">{m.candidateOrderId}</span> : '—') },
            { header: t('live.message'), cell: (m) => <span className="message">{m.text}</span> },
          ]}
        />
      )}
    </>
  );
}

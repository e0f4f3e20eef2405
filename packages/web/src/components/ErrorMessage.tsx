import { useTranslation } from 'react-i18next';
import { errorText } from '../errors';

/** A failed call, in words, announced to screen readers; never raw JSON. */
export function ErrorMessage({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useTranslation();
  return (
    <p role="alert" className="error">
      {errorText(t, error)}
      {retry && (
        <>
          {' '}
          <button type="button" className="link" onClick={retry}>
            {t('common.retry')}
          </button>
        </>
      )}
    </p>
  );
}

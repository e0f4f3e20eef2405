import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** The Clipboard API needs a secure context; a server reached over plain HTTP on a LAN has none. */
async function copy(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const done = document.execCommand('copy');
  area.remove();
  if (!done) throw new Error('copy refused');
}

/** `what` names the thing copied for screen readers: "Copy number". */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <>
      <button
        type="button"
        className="copy"
        aria-label={t('common.copyWhat', { what })}
        onClick={() =>
          copy(text).then(
            () => setState('copied'),
            () => setState('failed'),
          )
        }
      >
        {t('common.copy')}
      </button>
      <span className="copy-status" role="status">
        {state === 'copied' ? t('common.copied') : state === 'failed' ? t('common.copyFailed') : ''}
      </span>
    </>
  );
}

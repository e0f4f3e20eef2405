import { useTranslation } from 'react-i18next';

/** The new password typed again, and, once a submit found the two different, why the form was refused. */
export function ConfirmPassword({ mismatch }: { mismatch: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <label>
        {t('auth.confirmPassword')}
        <input name="confirm" type="password" autoComplete="new-password" required minLength={8} />
      </label>
      {mismatch && (
        <p role="alert" className="error">
          {t('auth.passwordsDiffer')}
        </p>
      )}
    </>
  );
}

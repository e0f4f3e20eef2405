// What the reader is told when a call fails: the server's codes worded in the reader's language;
// a message the server words for one case (a form field's rule) is shown as the server wrote it.
import type { TFunction } from 'i18next';
import { ApiError } from './api';

const WORDED = [
  'network',
  'csrf',
  'unauthorized',
  'forbidden',
  'not_found',
  'rate_limited',
  'insufficient_balance',
  'too_many_active_orders',
  'too_many_open_recharges',
  'no_numbers',
  'channel_unavailable',
  'order_ended',
  'already_exists',
  'try_again',
] as const;

export function errorText(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return t('errors.unexpected');
  if (error.details.secondFactor === 'wrong') return t('errors.wrongCode');
  if (error.code === 'release_too_early') return t('errors.release_too_early', { seconds: Math.ceil(Number(error.details.retryAfterMs ?? 0) / 1000) });
  const worded = WORDED.find((code) => code === error.code);
  if (worded) return t(`errors.${worded}`);
  if (error.status >= 500) return t('errors.server');
  // A rule about what was typed (400, 422): the server names the field and the rule.
  return error.message || t('errors.unexpected');
}

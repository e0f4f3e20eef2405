/**
 * Per-service code shapes. When the order's project is known, a candidate with the service's usual
 * shape is preferred over other numbers in the same SMS (reference §4.2 "service-shape registry").
 * Shapes describe the normalised code (separators stripped). Only services whose formats are well
 * documented or widely observed are listed; unknown services simply use the generic scorer.
 */

export interface ServiceRule {
  /** Canonical id. */
  id: string;
  /** Normalised catalogue names (lowercase, alphanumerics only) that map to this rule. */
  aliases: readonly string[];
  /** How the brand is written in message text; a mention near a candidate counts as a weak keyword. */
  brand: RegExp;
  /** The usual shape of the normalised code. */
  shape: RegExp;
}

const RULES: readonly ServiceRule[] = [
  // Telegram login codes are 5 digits.
  { id: 'telegram', aliases: ['telegram', 'tg'], brand: /telegram/giu, shape: /^\d{5}$/ },
  // WhatsApp: 6 digits, usually written 3-3 ("123-456").
  { id: 'whatsapp', aliases: ['whatsapp', 'whatsappbusiness', 'wa', 'wabusiness', 'wabiz'], brand: /whats\s?app/giu, shape: /^\d{6}$/ },
  { id: 'instagram', aliases: ['instagram', 'ig', 'insta'], brand: /instagram/giu, shape: /^\d{6}$/ },
  // Google: 6 digits, usually as G-123456.
  { id: 'google', aliases: ['google', 'gmail', 'googlevoice', 'youtube', 'gv'], brand: /google|gmail|youtube/giu, shape: /^\d{6}$/ },
  // Facebook: FB-12345 and 6/8-digit variants.
  { id: 'facebook', aliases: ['facebook', 'fb', 'meta', 'messenger'], brand: /facebook|\bFB\b|messenger/giu, shape: /^\d{5,8}$/ },
  { id: 'tiktok', aliases: ['tiktok', 'douyin'], brand: /tik\s?tok|抖音/giu, shape: /^\d{6}$/ },
  { id: 'amazon', aliases: ['amazon', 'aws'], brand: /amazon/giu, shape: /^\d{6}$/ },
  // Microsoft has sent 4-digit access codes and 6/7-digit security codes.
  { id: 'microsoft', aliases: ['microsoft', 'outlook', 'hotmail', 'skype', 'xbox'], brand: /microsoft|outlook|hotmail|skype|xbox/giu, shape: /^\d{4,8}$/ },
  { id: 'apple', aliases: ['apple', 'appleid', 'icloud'], brand: /apple|icloud/giu, shape: /^\d{6}$/ },
  // Uber sends 4-digit codes.
  { id: 'uber', aliases: ['uber', 'ubereats'], brand: /uber/giu, shape: /^\d{4}$/ },
  { id: 'discord', aliases: ['discord'], brand: /discord/giu, shape: /^\d{6}$/ },
  { id: 'twitter', aliases: ['twitter', 'x', 'xcom', 'twitterx'], brand: /twitter|\bX\b/gu, shape: /^\d{6,8}$/ },
  { id: 'snapchat', aliases: ['snapchat', 'snap'], brand: /snapchat/giu, shape: /^\d{6}$/ },
  { id: 'vk', aliases: ['vk', 'vkontakte', 'вконтакте'], brand: /\bVK\b|vkontakte|вконтакте/giu, shape: /^\d{5,6}$/ },
  { id: 'paypal', aliases: ['paypal'], brand: /paypal/giu, shape: /^\d{6}$/ },
  { id: 'linkedin', aliases: ['linkedin'], brand: /linkedin/giu, shape: /^\d{6}$/ },
  { id: 'signal', aliases: ['signal'], brand: /signal/giu, shape: /^\d{6}$/ },
  { id: 'yandex', aliases: ['yandex', 'яндекс'], brand: /yandex|яндекс/giu, shape: /^\d{6}$/ },
];

const BY_ALIAS = new Map<string, ServiceRule>();
for (const rule of RULES) for (const alias of rule.aliases) BY_ALIAS.set(alias, rule);

// Catalogue channel suffixes ("Gmail-4", "Depop-C6", "x-c12") and descriptive parentheses.
const CHANNEL_SUFFIX = /[-_\s]+c?\d+$/iu;
const PARENTHESES = /\s*[([].*?[)\]]\s*/gu;
const NON_ALNUM = /[^\p{L}\p{N}]+/gu;
const WORD_SPLIT = /[\s\-_./]+/u;

/** A catalogue project name without its channel suffix: "Telegram-C6" -> "Telegram". */
export const withoutChannel = (name: string): string => name.trim().replace(CHANNEL_SUFFIX, '');

/** The normalised key of a catalogue project name: "Depop-C6" → "depop", "WhatsApp Business" → "whatsappbusiness". */
export function serviceKey(name: string): string {
  return name.replace(PARENTHESES, ' ').trim().replace(CHANNEL_SUFFIX, '').toLowerCase().replace(NON_ALNUM, '');
}

/** Find the rule for a catalogue project name, trying the whole name then its first word ("Google Voice" → google). */
export function resolveService(name: string | undefined): ServiceRule | undefined {
  if (!name) return undefined;
  const key = serviceKey(name);
  if (!key) return undefined;
  const exact = BY_ALIAS.get(key);
  if (exact) return exact;
  const first = name.replace(PARENTHESES, ' ').trim().split(WORD_SPLIT)[0];
  return first ? BY_ALIAS.get(first.toLowerCase().replace(NON_ALNUM, '')) : undefined;
}

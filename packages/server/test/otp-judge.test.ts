import { describe, expect, it } from 'vitest';
import { judgeSms, type SmsVerdict } from '../src/domain/otp/judge.js';
import { KNOWN_SERVICES } from '../src/domain/vocabulary/services.js';
import { resolveService } from '../src/domain/otp/services.js';
import { loadCorpus as load } from './helpers/corpus.js';

const judge = (text: string, orderService: string | undefined, sender = ''): SmsVerdict => judgeSms({ text, sender }, orderService);
const delivered = (v: SmsVerdict): string | null | undefined => (v.deliver ? (v.code?.code ?? null) : undefined);

// Messages from the corpora.
const WHATSAPP = 'Your WhatsApp code: 781-909';
const WHATSAPP_AR = 'رمز WhatsApp الخاص بك: 408-015\nلا تشارك هذا الرمز مع أي شخص.';
const TELEGRAM = 'Код для входа в Telegram: 51519. Не давайте код никому';
const INSTAGRAM = '617 291 is your Instagram code. Don\'t share it.';
const GOOGLE = 'G-743499 is your Google verification code.';
const TWITTER = '342562 is your Twitter authentication code. Don’t reply to this message with your code.?';
const VK = 'VK: 33708 – your code for VKontakte registration';
const TIKTOK_ZH = '【抖音】验证码123456，用于手机登录，5分钟内有效。验证码提供给他人可能导致账号被盗，请勿泄露，谨防被骗。';
const PLAIN = 'Your OTP is 785094';

describe('judgeSms: every corpus code reaches an order of its own service', () => {
  // The only exception: a bank's 3-D Secure SMS for a payment to Google names Google and not the bank.
  const namesAnotherService = new Set(['Summa 1000.00 RUB. Poluchatel: Google AdWords. Kod: 377329. Nikomu ego ne soobshchaite.']);

  for (const file of ['otp-corpus.jsonl', 'otp-hard-cases.jsonl']) {
    it(file, () => {
      const rows = load(file).filter((r) => r.normalized !== null);
      expect(rows.length).toBeGreaterThan(50);
      const wrong: string[] = [];
      for (const row of rows) {
        const v = judge(row.text, row.service);
        if (namesAnotherService.has(row.text)) {
          expect(v).toEqual({ deliver: false, reason: 'other_service', otherService: 'google' });
        } else if (delivered(v) !== row.normalized) {
          wrong.push(`  ${row.service}: ${JSON.stringify(v)} | ${row.text.slice(0, 80)}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it('and is delivered with the same code when the sender is the service', () => {
    expect(delivered(judge(PLAIN, 'Instagram', 'Instagram'))).toBe('785094');
    expect(delivered(judge(WHATSAPP, 'WhatsApp', 'WhatsApp'))).toBe('781909');
  });
});

describe('judgeSms: another service', () => {
  it('rejects a code whose text names another service', () => {
    expect(judge(WHATSAPP, 'Telegram')).toEqual({ deliver: false, reason: 'other_service', otherService: 'whatsapp' });
    expect(judge(WHATSAPP_AR, 'Telegram-C6')).toMatchObject({ deliver: false, reason: 'other_service', otherService: 'whatsapp' });
    expect(judge(TELEGRAM, 'WhatsApp')).toMatchObject({ reason: 'other_service', otherService: 'telegram' });
    expect(judge(INSTAGRAM, 'Facebook')).toMatchObject({ reason: 'other_service', otherService: 'instagram' });
    expect(judge(GOOGLE, 'Twitter')).toMatchObject({ reason: 'other_service', otherService: 'google' });
    expect(judge(TWITTER, 'Gmail-4')).toMatchObject({ reason: 'other_service', otherService: 'twitter' });
    expect(judge(VK, 'tg')).toMatchObject({ reason: 'other_service', otherService: 'vk' });
    expect(judge(TIKTOK_ZH, 'WeChat')).toMatchObject({ reason: 'other_service', otherService: 'tiktok' });
  });

  it('rejects a code whose sender is another service', () => {
    expect(judge(PLAIN, 'Telegram', 'WhatsApp')).toMatchObject({ reason: 'other_service', otherService: 'whatsapp' });
    expect(judge(PLAIN, 'Telegram', 'VM-AMAZON')).toMatchObject({ reason: 'other_service', otherService: 'amazon' });
    expect(judge(PLAIN, 'Telegram', 'X')).toMatchObject({ reason: 'other_service', otherService: 'twitter' });
  });

  it('protects an unknown project too: Depop does not receive a WhatsApp code', () => {
    expect(judge(WHATSAPP, 'Depop-C6')).toMatchObject({ deliver: false, reason: 'other_service', otherService: 'whatsapp' });
    expect(judge(PLAIN, 'Depop', 'Google')).toMatchObject({ reason: 'other_service', otherService: 'google' });
  });

  it('rejects a code for the catch-all project when it names a known service', () => {
    expect(judge(WHATSAPP, 'Any other')).toMatchObject({ reason: 'other_service', otherService: 'whatsapp' });
    expect(delivered(judge('Your verification code is 604218', 'ot'))).toBe('604218');
  });

  it('treats "Meta" as the family brand: rejected outside Meta, not a Facebook code when Instagram is named', () => {
    const meta = 'Meta: 482913 is your Accounts Center code. Don\'t share it.';
    expect(judge(meta, 'Telegram')).toMatchObject({ deliver: false, reason: 'other_service' });
    expect(delivered(judge(meta, 'Facebook'))).toBe('482913');
    expect(delivered(judge(meta, 'Instagram'))).toBe('482913');
    const fromMeta = '482913 is your Instagram code. Don\'t share it.\nInstagram from Meta';
    expect(delivered(judge(fromMeta, 'Instagram'))).toBe('482913');
    expect(judge(fromMeta, 'Facebook')).toMatchObject({ reason: 'other_service', otherService: 'instagram' });
  });
});

describe('judgeSms: the order\'s own service', () => {
  it('resolves catalogue names, suffixes, aliases and provider codes', () => {
    expect(delivered(judge(GOOGLE, 'Gmail-4'))).toBe('743499');
    expect(delivered(judge(GOOGLE, 'YouTube'))).toBe('743499');
    expect(delivered(judge(GOOGLE, 'go'))).toBe('743499');
    expect(delivered(judge(WHATSAPP, 'WhatsApp Business'))).toBe('781909');
    expect(delivered(judge(TELEGRAM, 'telegram'))).toBe('51519');
    expect(delivered(judge(VK, 'vkontakte'))).toBe('33708');
  });

  it('names an unknown service by its own name, in the text or the sender', () => {
    expect(delivered(judge('Depop: your verification code is 4417', 'Depop-C6'))).toBe('4417');
    expect(judge('Depop: tap the link to confirm your number https://depop.com/v/aB3', 'Depop-C6')).toEqual({ deliver: true, code: null });
    expect(judge('Tap the link to confirm your number', 'Depop', 'DEPOP')).toEqual({ deliver: true, code: null });
  });

  it('delivers a message that names the order\'s service even without a code', () => {
    expect(judge('Your WhatsApp account is being registered on a new device', 'WhatsApp')).toEqual({ deliver: true, code: null });
    expect(judge('Tap to verify your number: v.whatsapp.com/731905', 'WhatsApp')).toMatchObject({ deliver: true, code: { code: '731905' } });
  });

  it('still names the order\'s service when another brand appears too', () => {
    expect(delivered(judge('277254 ist der Google Pay Aktivierungscode für deine Trade Republic Karte Endziffer-0000.', 'Trade Republic'))).toBe('277254');
    expect(delivered(judge(TELEGRAM + ' WhatsApp', 'Telegram'))).toBe('51519');
  });
});

describe('judgeSms: no code', () => {
  it('rejects carrier notices, receipts and spam that do not name the service', () => {
    const texts = [
      'Your balance is low. Top up now to keep calling.',
      'Rs.2.00 spent via Kotak Debit Card XX5673 at AMAZONAWSESC on 12/07/2025. Avl bal Rs.15566.11 Not you?Tap https://kotak.com/KBANKT/Fraud',
      '短信服务厅为您提供以下服务,请直接回复数字:1:业务查询2:流量业务3:热点与优惠5:国际漫游业务6:家庭与集团业务',
      'DT85TH896 Confirmed.\nYou have received Ksh3,500.00 from\n501901 - KCB Money Transfer Services \non 31/7/13 at 6:43 PM\nNew M-PESA balance is Ksh11,312.00.Save & get a loan on Mshwari',
      'WINNER!! As a valued network customer you have been selected to receivea £900 prize reward! To claim call 09061701461. Claim code KL341. Valid 12 hours only.',
      'Hello how are you?',
    ];
    for (const text of texts) expect(judge(text, 'Telegram')).toEqual({ deliver: false, reason: 'no_code' });
    expect(judge('Your balance is low', 'Depop-C6')).toEqual({ deliver: false, reason: 'no_code' });
  });

  it('without an order service only the no-code rule applies', () => {
    expect(delivered(judge(WHATSAPP, undefined))).toBe('781909');
    expect(judge('Your balance is low', undefined)).toEqual({ deliver: false, reason: 'no_code' });
  });
});

describe('judgeSms: ordinary words are not brands', () => {
  it('ignores ambiguous brand words in prose', () => {
    expect(delivered(judge('Your code is 482913. Press X to close this message.', 'Telegram'))).toBe('482913');
    expect(delivered(judge('Login code: 57906. Type it on the next line.', 'Telegram'))).toBe('57906');
    expect(delivered(judge('Poor signal? Your code is 48213', 'Telegram'))).toBe('48213');
    expect(delivered(judge('OK, your code is 48213', 'Telegram'))).toBe('48213');
    expect(delivered(judge('Add a meta description. Code 48213', 'Telegram'))).toBe('48213');
    expect(delivered(judge('Your Steam of updates: code 48213', 'Telegram'))).toBe('48213');
  });

  it('matches brands on word boundaries only', () => {
    expect(delivered(judge('Amazonas Bank: code 4417', 'Telegram'))).toBe('4417');
    expect(delivered(judge('Telegrammeter code 48213', 'WhatsApp'))).toBe('48213');
  });

  it('counts an ambiguous brand where a brand stands', () => {
    expect(judge('Signal: Your code is 482913', 'Telegram')).toMatchObject({ reason: 'other_service', otherService: 'signal' });
    expect(judge('[LINE] Your verification code is 4417', 'Telegram')).toMatchObject({ reason: 'other_service', otherService: 'line' });
    expect(judge('Your X verification code is 482913', 'Telegram')).toMatchObject({ reason: 'other_service', otherService: 'twitter' });
    expect(delivered(judge('Signal: Your code is 482913', 'Signal'))).toBe('482913');
  });
});

describe('known-services vocabulary', () => {
  it('has unique ids, provider codes and keys that resolve to themselves', () => {
    const ids = KNOWN_SERVICES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const codes = KNOWN_SERVICES.flatMap((s) => (s.smsActivate ? [s.smsActivate] : []));
    expect(new Set(codes).size).toBe(codes.length);
    for (const s of KNOWN_SERVICES) {
      expect(s.id).toBe(s.id.toLowerCase());
      expect(resolveService(s.id)?.id).toBe(s.id);
      expect(resolveService(s.name)?.id).toBe(s.id);
      if (s.smsActivate) expect(resolveService(s.smsActivate)?.id).toBe(s.id);
      for (const a of s.aliases) expect(resolveService(a)?.id).toBe(s.id);
      if (s.shape) expect(() => new RegExp(s.shape!)).not.toThrow();
    }
  });

  it('covers the SMS-Activate service codes of the reference', () => {
    const codes = new Set(KNOWN_SERVICES.map((s) => s.smsActivate));
    for (const c of ['go', 'tg', 'wa', 'ig', 'fb', 'tw', 'ot', 'vk', 'ok', 'vi', 'wb', 'ds', 'am', 'dr', 'lf', 'fu', 'mm', 'mb', 'ya', 'ma', 'mt', 'oi', 'kt', 'pm', 'tn', 'qq', 'nf', 'uk', 'me', 'ub', 'gt', 'sn', 'ka', 'ni', 'hw', 'hx', 'ts', 're', 'dh', 'mo', 'tx', 'kc', 'nz', 'aq', 'zh', 'bz', 'li', 'ij', 'av', 'ym', 'ew', 'pd', 'ju', 'll']) {
      expect(codes.has(c)).toBe(true);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { extractCode, type ExtractedCode } from '../src/domain/otp/extract.js';
import { resolveService, serviceKey } from '../src/domain/otp/services.js';
import { loadCorpus } from './helpers/corpus.js';

const corpus = loadCorpus('otp-corpus.jsonl');

function code(text: string, service?: string): string | null {
  return extractCode(text, service === undefined ? undefined : { service })?.code ?? null;
}

describe('OTP corpus', () => {
  for (const mode of ['no service hint', 'with service hint'] as const) {
    it(`accuracy >= 0.97 and no false codes (${mode})`, () => {
      let correct = 0;
      let falseCodes = 0;
      const misses: string[] = [];
      for (const row of corpus) {
        const got = code(row.text, mode === 'with service hint' ? row.service : undefined);
        if (got === row.normalized) {
          correct++;
          continue;
        }
        if (row.normalized === null) falseCodes++;
        misses.push(`  [${row.lang}] ${row.service}: want ${String(row.normalized)}, got ${String(got)} | ${row.text.slice(0, 80).replace(/\n/g, ' ')}`);
      }
      const accuracy = correct / corpus.length;
      console.log(
        `OTP corpus (${mode}): ${correct}/${corpus.length} = ${(accuracy * 100).toFixed(1)}%, false codes: ${falseCodes}` +
          (misses.length ? `\nmisses:\n${misses.join('\n')}` : ''),
      );
      expect(corpus.length).toBeGreaterThanOrEqual(131);
      expect(accuracy).toBeGreaterThanOrEqual(0.97);
      expect(falseCodes).toBe(0);
    });
  }
});

describe('extractCode: result shape', () => {
  it('returns code, method and a confidence in 0..1', () => {
    const r = extractCode('Your verification code is 604218');
    expect(r).toEqual<ExtractedCode>({ code: '604218', method: 'keyword', confidence: expect.any(Number) as number });
    expect(r!.confidence).toBeGreaterThan(0.5);
    expect(r!.confidence).toBeLessThanOrEqual(1);
  });

  it('returns null for empty or code-less text', () => {
    expect(extractCode('')).toBeNull();
    expect(extractCode('See you tomorrow at the station')).toBeNull();
    expect(extractCode('Your verification code is ready in the app')).toBeNull();
  });
});

describe('extractCode: amounts next to codes', () => {
  it('skips the amount and keeps the code', () => {
    expect(code('Your OTP is 482913 for a payment of USD 2500.00 at ACME')).toBe('482913');
    expect(code('Code 7391 to confirm a transfer of 15000 RUB')).toBe('7391');
    expect(code('Pay €1999 now. Your verification code is 4417')).toBe('4417');
    expect(code('【某银行】交易金额3200元，动态码718204，请勿泄露')).toBe('718204');
    expect(code('مبلغ 2,450,000 ریال\nرمز 55031287')).toBe('55031287');
  });

  it('does not take an amount when there is no code', () => {
    expect(code('Your balance is 1234.56 EUR')).toBeNull();
    expect(code('Avl bal Rs.8841 after debit of Rs 1200')).toBeNull();
  });
});

describe('extractCode: dates and times', () => {
  it('ignores dates, times and years', () => {
    expect(code('On 2024-05-01 at 14:32 your login code is 5521')).toBe('5521');
    expect(code('Code 662014 valid until 23:59 on 31/12/2025')).toBe('662014');
    expect(code('您于2026年01月15日申请的验证码为409133')).toBe('409133');
    expect(code('Meeting moved to 15.03.2026 at 09:30')).toBeNull();
  });
});

describe('extractCode: phone numbers and short codes', () => {
  it('skips phone numbers around the code', () => {
    expect(code('Your code is 884210. Questions? Call 1-800-555-0199')).toBe('884210');
    expect(code('Call (415) 555-0132 for help. Security code: 7720')).toBe('7720');
    expect(code('+7 916 123-45-67: ваш код 3391')).toBe('3391');
  });

  it('returns null for phone numbers and short codes alone', () => {
    expect(code('You have 2 missed calls from +7 916 123 45 67')).toBeNull();
    expect(code('Reply STOP to 88022 to opt out')).toBeNull();
    expect(code('Text JOIN to 60123 for weekly offers')).toBeNull();
  });
});

describe('extractCode: URLs', () => {
  it('ignores digits inside links', () => {
    expect(code('Tap https://example.com/v/778899 or enter code 445566')).toBe('445566');
    expect(code('Parcel status: example.org/t/55120981. Your code is 3318')).toBe('3318');
  });

  it('uses a code that only appears in a link, with low confidence', () => {
    const r = extractCode('Tap to verify your number: v.example.com/731905');
    expect(r).toMatchObject({ code: '731905', method: 'fallback' });
    expect(r!.confidence).toBeLessThan(0.5);
  });
});

describe('extractCode: card tails', () => {
  it('skips masked card numbers', () => {
    expect(code('Card ending 4321: your verification code is 908172')).toBe('908172');
    expect(code('Your card **** 7788: your authorization code is 553201. Do not share it')).toBe('553201');
    expect(code('您尾号6612的卡验证码为220931')).toBe('220931');
    expect(code('Debit card XX9921 used at SHOP on 01/02/2026')).toBeNull();
  });
});

describe('extractCode: receipts and authorisation numbers', () => {
  it('does not take the authorisation number of a completed payment', () => {
    expect(code('Your card **** 7788 was charged. Authorization code 553201')).toBeNull();
    expect(code('Оплата 450 RUB, карта *1234, код авторизации: 718204')).toBeNull();
  });

  it('does not take a number from a receipt that reports the balance after it', () => {
    expect(code('Pokupka 120.00 RUB. Karta *1234. Kod 551902. Dostupno 990.10 RUB')).toBeNull();
    expect(code('Purchase 120.00 RUB, card *1234. Code 551902, do not share it. Available balance 990.10 RUB')).toBe('551902');
  });
});

describe('extractCode: device models and framed codes', () => {
  it('does not take a device model for a code', () => {
    expect(code('Login code sent to Redmi Note 12 Pro (23021RAAEG). Code 4821')).toBe('4821');
    expect(code('Новое устройство: RMX3085. Код 4821')).toBe('4821');
    expect(code('设备型号：V2024A 验证码 4821')).toBe('4821');
  });

  it('reads codes framed by # or *, and card masks stay masks', () => {
    expect(code('Your code is *482913*. Do not share it')).toBe('482913');
    expect(code('Your OTP#4821 expires in 5 min')).toBe('4821');
    expect(code('Karta 4890*2285, kod 201')).toBeNull();
  });

  it('knows authorisation-number labels in several languages', () => {
    expect(code('Acquisto approvato 25,00 EUR. Cod. autorizzazione 558201')).toBeNull();
    expect(code('Compra aprobada por 25.000 COP. Nro. autorizacion 558201')).toBeNull();
    expect(code('Kod autoryzacji: 58312044. Przelew na kwote 120,00 PLN')).toBe('58312044'); // Polish for the OTP itself
  });
});

describe('extractCode: two codes in one SMS', () => {
  it('prefers the OTP over transaction ids and references', () => {
    expect(code('Transaction ID 55123. Your OTP is 662211')).toBe('662211');
    expect(code('Ref 88123412. OTP: 552211')).toBe('552211');
    expect(code('Ma GD 9041 ma OTP 318822 tai web SHOP.VN')).toBe('318822');
    expect(code('XYZ - 204411 is your One Time Password. Your eTAC is 1234567890')).toBe('204411');
  });
});

describe('extractCode: code before the keyword', () => {
  it('finds codes written first', () => {
    expect(code('4432 is your login code')).toBe('4432');
    expect(code('771093 est votre code de connexion')).toBe('771093');
    expect(code('【某站】660192登录验证码，10分钟内有效')).toBe('660192');
  });
});

describe('extractCode: CJK without spaces', () => {
  it('finds codes glued to CJK text', () => {
    expect(code('【某某】您的验证码是387261，5分钟内有效。')).toBe('387261');
    expect(code('認証コード：482019 このコードを他人に教えないでください')).toBe('482019');
    expect(code('인증번호 [551290]를 입력해주세요.')).toBe('551290');
  });

  it('does not turn a fullwidth comma into a decimal separator', () => {
    expect(code('验证码299013，10分钟内有效')).toBe('299013');
  });
});

describe('extractCode: digit normalisation', () => {
  it('maps fullwidth digits', () => {
    expect(code('验证码：３８７２６１，请勿泄露')).toBe('387261');
    expect(code('コード：ＡＢ１２３４')).toBe('AB1234');
  });

  it('maps Persian and Arabic-Indic digits', () => {
    expect(code('کد تایید شما: ۴۵۶۷۸۹')).toBe('456789');
    expect(code('رمز التحقق: ٣٤٥٦٧٨')).toBe('345678');
  });

  it('strips zero-width and bidi characters', () => {
    expect(code('Your code is 12\u200B34\u200E56')).toBe('123456');
  });
});

describe('extractCode: separators and prefixes', () => {
  it('strips separators of 3-3 codes', () => {
    expect(code('Dein Code lautet 381 552. Gib ihn nicht weiter.')).toBe('381552');
    expect(code('Tu código de verificación es 123-456')).toBe('123456');
  });

  it('drops G- and FB- prefixes', () => {
    expect(extractCode('G-551902 is your Google verification code.')).toMatchObject({ code: '551902', method: 'service' });
    expect(extractCode('FB-48213 is your Facebook confirmation code')).toMatchObject({ code: '48213', method: 'service' });
  });

  it('reads spaced TANs', () => {
    expect(code('Vergleichswert k 3 P q 9 Z\nIhre TAN: 7 x 2 m 4 p')).toBe('7x2m4p');
  });
});

describe('extractCode: explicit formats', () => {
  it('parses the origin-bound last line', () => {
    const r = extractCode('Your ACME code is 112233.\n\n@acme.example #112233');
    expect(r).toMatchObject({ code: '112233', method: 'origin-bound' });
    expect(r!.confidence).toBeGreaterThan(0.95);
    // The origin-bound line wins even over a different number in the body.
    expect(code('Order 5512 shipped. Login: 404040\n@shop.example #771203')).toBe('771203');
  });

  it('recognises SMS Retriever messages and never returns the app hash', () => {
    expect(extractCode('<#> Your ExampleApp code is: 731904\nFA+9qCX9VSu')).toMatchObject({ code: '731904', method: 'retriever' });
    expect(extractCode('Your code is 9X4K2M\n\nqlRnn4A1sbt')).toMatchObject({ code: '9X4K2M', method: 'retriever' });
  });
});

describe('extractCode: service hint', () => {
  const twoCodes = 'Login code 48213. Backup code 902114.';

  it('chooses the candidate with the service shape', () => {
    expect(code(twoCodes, 'Telegram')).toBe('48213');
    expect(code(twoCodes, 'WhatsApp')).toBe('902114');
    expect(extractCode(twoCodes, { service: 'Telegram' })!.method).toBe('service');
  });

  it('ignores channel suffixes in the service name', () => {
    expect(code(twoCodes, 'Telegram-4')).toBe('48213');
    expect(code(twoCodes, 'telegram-C6')).toBe('48213');
    expect(serviceKey('Depop-C6')).toBe('depop');
    expect(serviceKey('Gmail-4')).toBe('gmail');
    expect(resolveService('Gmail-4')?.id).toBe('google');
    expect(resolveService('WhatsApp Business')?.id).toBe('whatsapp');
    expect(resolveService('x-c12')?.id).toBe('twitter');
    expect(resolveService('Depop-C6')).toBeUndefined();
    expect(resolveService(undefined)).toBeUndefined();
  });

  it('accepts a bare number of the service shape', () => {
    expect(extractCode('55213', { service: 'Telegram' })).toMatchObject({ code: '55213', method: 'fallback' });
    expect(code('55213')).toBeNull(); // without the hint a lone 5-digit number is not enough
  });

  it('does not force a code that does not fit', () => {
    expect(code('WhatsApp: tap to finish setting up your account. 2207', 'WhatsApp')).toBeNull();
  });
});

describe('extractCode: non-OTP codes', () => {
  it('returns null for promo, discount and checkout codes', () => {
    expect(code('Use promo code SAVE20 for 20% off your next order')).toBeNull();
    expect(code('Your discount code is 558812')).toBeNull();
    expect(code('Use code 771204 at checkout for free shipping')).toBeNull();
    expect(code('Ваш промокод 4410 на скидку 10%')).toBeNull();
    expect(code('Get SAVE20% off with code 5521 today')).toBeNull();
  });

  it('returns null for references, addresses and uppercase words', () => {
    expect(code('Your order 123456 has shipped')).toBeNull();
    expect(code('Confirm your booking 558120 by replying YES')).toBeNull();
    expect(code('Meet me at 221B Baker Street at 2015')).toBeNull();
    expect(code('YOUR CODE: EXPIRED. REQUEST A NEW ONE')).toBeNull();
    expect(code('Your Apple ID was used to sign in on a new device near 94107')).toBeNull();
  });
});

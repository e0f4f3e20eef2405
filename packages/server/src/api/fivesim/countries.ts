// What /guest/countries says of a country besides its names: its international calling code, from
// libphonenumber-js (Google's libphonenumber metadata, maintained), and its Russian name (`text_ru`),
// from the ICU data Node.js ships (Intl.DisplayNames).
import { getCountryCallingCode, isSupportedCountry, type CountryCode } from 'libphonenumber-js/min';

/** The calling code without '+' (GB -> '44', every NANP country -> '1'); undefined where none is assigned (AQ). */
export function callingCode(iso: string): string | undefined {
  const code = iso.toUpperCase();
  return isSupportedCountry(code) ? getCountryCallingCode(code as CountryCode) : undefined;
}

const russian = new Intl.DisplayNames(['ru'], { type: 'region', fallback: 'none' });

/** The country's name in Russian (GB -> Великобритания), or undefined where ICU has none. */
export function russianName(iso: string): string | undefined {
  try {
    return russian.of(iso.toUpperCase());
  } catch {
    return undefined;
  }
}

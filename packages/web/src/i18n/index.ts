// Translations: English, Russian and Chinese, every string of the app. The reader's choice is kept in
// localStorage; the first visit follows the browser's languages.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en';
import ru from './ru';
import zh from './zh';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'ru', name: 'Русский' },
  { code: 'zh', name: '中文' },
] as const;

const STORAGE_KEY = 'fastpva.language';
const supported = (code: string | null | undefined) => LANGUAGES.find((l) => code?.toLowerCase().startsWith(l.code))?.code;

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof en };
  }
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, ru: { translation: ru }, zh: { translation: zh } },
  lng: supported(localStorage.getItem(STORAGE_KEY)) ?? navigator.languages.map(supported).find(Boolean) ?? 'en',
  fallbackLng: 'en',
  initAsync: false,
  // React escapes what it renders.
  interpolation: { escapeValue: false },
});

document.documentElement.lang = i18n.language;
i18n.on('languageChanged', (language) => {
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
});

export default i18n;

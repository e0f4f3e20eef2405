import { useEffect } from 'react';

/** The browser tab and screen readers name the page. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · fastpva`;
  }, [title]);
}

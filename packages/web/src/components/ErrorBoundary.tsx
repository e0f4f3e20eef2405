import { Component, type ReactNode } from 'react';
import i18n from '../i18n';

/** A fault in the page itself: say so and offer a reload, rather than a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <main id="main" className="standalone">
        <p role="alert" className="error">
          {i18n.t('errors.unexpected')}
        </p>
        <button type="button" onClick={() => window.location.reload()}>
          {i18n.t('common.reload')}
        </button>
      </main>
    );
  }
}

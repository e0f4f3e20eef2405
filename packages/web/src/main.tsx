import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { ApiError, type SessionState } from './api';
import { App } from './App';
import { ErrorBoundary } from './components/ErrorBoundary';
import './i18n';
import './styles.css';

/** A session that ended on the server (signed out elsewhere, new password, disabled) signs the page out. */
const onError = (error: Error) => {
  if (error instanceof ApiError && error.status === 401) {
    queryClient.setQueryData<SessionState>(['session'], (state) => (state ? { ...state, user: null } : state));
  }
};

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    // A refusal is not worth asking again; the network failing is.
    queries: { retry: (failures, error) => error instanceof ApiError && error.status === 0 && failures < 3, staleTime: 5_000 },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <ErrorBoundary>
          <App />
        </ErrorBoundary>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);

// Who is signed in: the server's session state, read once and updated by sign-in and sign-out.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Me, type SessionState } from './api';

export function useSession() {
  return useQuery({ queryKey: ['session'], queryFn: () => api.get<SessionState>('/session'), staleTime: Infinity });
}

export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: () => api.get<Me>('/me') });
}

/** Sign-in, sign-up and a password change all answer with the new session's state. */
export function useStartSession<T>(start: (input: T) => Promise<SessionState>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: start,
    onSuccess: (state) => {
      // Nothing cached belongs to the new session but its state.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
      client.setQueryData(['session'], state);
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<{ user: null }>('/session'),
    onSuccess: () => {
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
      // The signed-out page's state, with its own CSRF token for the next sign-in.
      void client.invalidateQueries({ queryKey: ['session'] });
    },
  });
}

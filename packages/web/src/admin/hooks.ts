import { useMutation, useQueryClient } from '@tanstack/react-query';

/** An admin change, then what it touched is read again. */
export function useChange<I, O>(change: (input: I) => Promise<O>, touches: string[][]) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: () => {
      for (const queryKey of touches) void client.invalidateQueries({ queryKey });
    },
  });
}

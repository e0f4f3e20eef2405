// Live orders: read from the server, refreshed the moment one of them changes (server-sent events fed
// by the order feed, which carries every server process's changes), and counted down by the server's clock.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, type LiveOrder } from './api';

/** How far the server's clock is ahead of this browser's, from the last live-orders answer. */
let serverOffsetMs = 0;

export function useLiveOrders() {
  return useQuery({
    queryKey: ['live-orders'],
    queryFn: async () => {
      const answer = await api.get<{ serverTime: number; orders: LiveOrder[] }>('/orders/live');
      serverOffsetMs = answer.serverTime - Date.now();
      return answer.orders;
    },
    // The bus between server processes delivers at most once: a slow read now and then is the backstop.
    refetchInterval: 60_000,
  });
}

/** The server's time now, again every second. */
export function useServerNow(): number {
  const [now, setNow] = useState(() => Date.now() + serverOffsetMs);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() + serverOffsetMs), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Listens to the server's events while signed in: an order taken, an SMS, an order ended. */
export function useOrderEvents(): void {
  const client = useQueryClient();
  useEffect(() => {
    const refresh = () => {
      void client.invalidateQueries({ queryKey: ['live-orders'] });
      void client.invalidateQueries({ queryKey: ['me'] });
      void client.invalidateQueries({ queryKey: ['orders'] });
    };
    const source = new EventSource('/api/web/events');
    source.addEventListener('order', refresh);
    // The server's bus to the other processes was down: changes made there meanwhile were missed.
    source.addEventListener('resync', refresh);
    // After a reconnection, catch up on what happened while the stream was down.
    source.addEventListener('open', refresh);
    return () => source.close();
  }, [client]);
}

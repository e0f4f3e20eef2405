import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, query, type Offer, type Page } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { LiveOrders } from '../components/LiveOrders';
import { Pager } from '../components/Table';
import { countryName, money } from '../format';
import { usePageTitle } from '../title';

const PAGE_SIZE = 20;

/** What a typed search asks the server for, once typing pauses. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function OfferRow({ offer }: { offer: Offer }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const id = `offer-${offer.myPid}`;
  const free = offer.countries.reduce((n, c) => n + c.count, 0);
  const take = useMutation({
    mutationFn: (country: string) => api.post('/orders', { myPid: offer.myPid, ...(country ? { country } : {}) }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['live-orders'] });
      void client.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const favourite = useMutation({
    mutationFn: () => (offer.favourite ? api.delete(`/favourites/${offer.myPid}`) : api.put(`/favourites/${offer.myPid}`)),
    onSettled: () => void client.invalidateQueries({ queryKey: ['offers'] }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    take.mutate(String(new FormData(event.currentTarget).get('country') ?? ''));
  };
  const cheapest = offer.countries.length ? Math.min(...offer.countries.map((c) => c.price)) : offer.price;
  return (
    <li className="card offer">
      <form onSubmit={submit} aria-labelledby={id}>
        <div className="offer-head">
          <h3 id={id}>{offer.name}</h3>
          <button
            type="button"
            className="star"
            aria-pressed={offer.favourite}
            aria-label={t('buy.favourite', { name: offer.name })}
            onClick={() => favourite.mutate()}
            disabled={favourite.isPending}
          >
            <span aria-hidden="true">{offer.favourite ? '★' : '☆'}</span>
          </button>
        </div>
        <label>
          {t('buy.country')}
          <select name="country" defaultValue="">
            <option value="">{t('buy.anyCountry', { price: money(cheapest), free })}</option>
            {offer.countries.map((c) => (
              <option key={c.country} value={c.country}>
                {t('buy.countryOption', { country: countryName(c.country), price: money(c.price), free: c.count })}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={take.isPending}>
          {t('buy.take')}
        </button>
        {take.isSuccess && <p role="status">{t('buy.taken')}</p>}
        {take.isError && <ErrorMessage error={take.error} />}
        {favourite.isError && <ErrorMessage error={favourite.error} />}
      </form>
    </li>
  );
}

export function Buy() {
  const { t } = useTranslation();
  usePageTitle(t('buy.title'));
  const [keyword, setKeyword] = useState('');
  const [favourites, setFavourites] = useState(false);
  const [page, setPage] = useState(1);
  const search = useDebounced(keyword.trim(), 250);
  useEffect(() => setPage(1), [search, favourites]);
  const offers = useQuery({
    queryKey: ['offers', search, favourites, page],
    queryFn: () => api.get<Page<'projects', Offer>>(`/projects${query({ keyword: search, favourites, page, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>{t('buy.title')}</h1>
      <div className="filters" role="search">
        <label>
          {t('buy.search')}
          <input type="search" value={keyword} onChange={(e) => setKeyword(e.target.value)} placeholder={t('buy.searchPlaceholder')} />
        </label>
        <label className="check">
          <input type="checkbox" checked={favourites} onChange={(e) => setFavourites(e.target.checked)} />
          {t('buy.favouritesOnly')}
        </label>
      </div>
      <section aria-labelledby="offers-title">
        <h2 id="offers-title" className="visually-hidden">
          {t('buy.services')}
        </h2>
        {offers.isError && <ErrorMessage error={offers.error} retry={() => void offers.refetch()} />}
        {offers.isPending && <p className="loading">{t('common.loading')}</p>}
        {offers.data && (
          <>
            <p role="status" className="help">
              {t('buy.found', { count: offers.data.count })}
            </p>
            <ul className="offers">
              {offers.data.projects.map((offer) => (
                <OfferRow key={offer.myPid} offer={offer} />
              ))}
            </ul>
            <Pager page={page} limit={PAGE_SIZE} count={offers.data.count} shown={offers.data.projects.length} onPage={setPage} />
          </>
        )}
      </section>
      <LiveOrders />
    </>
  );
}

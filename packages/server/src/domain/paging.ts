import { DomainError } from './errors.js';

export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  page: number;
  limit: number;
}

/** page starts at 1; limit is capped rather than refused (DESIGN §4). */
export function toOffset({ page, limit }: PageRequest): { offset: number; limit: number } {
  if (!Number.isInteger(page) || page < 1) throw new DomainError('INVALID_INPUT', 'page must be a positive integer');
  if (!Number.isInteger(limit) || limit < 1) throw new DomainError('INVALID_INPUT', 'limit must be a positive integer');
  const capped = Math.min(limit, MAX_PAGE_SIZE);
  return { offset: (page - 1) * capped, limit: capped };
}

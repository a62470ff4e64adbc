import { detectMemberSearchMode, MEMBER_SEARCH_MAX_TERM, type MemberSearchMode } from '@member/shared';
import { DomainError } from '../common/domain-error';

/**
 * The pure half of the console's member search: which look-up a term asks for, LIKE patterns that take the
 * term literally, and the keyset cursor. No database here, so each rule is tested alone.
 */

/** The escape character of our LIKE patterns: '!' means the same on MySQL and SQLite (a backslash does not). */
export const LIKE_ESCAPE = '!';

/** The term as a LIKE pattern that matches it literally: `%` and `_` typed by staff are characters, not wildcards. */
export function likePattern(term: string, match: 'prefix' | 'contains'): string {
  const literal = term.replace(/[!%_]/g, (c) => `${LIKE_ESCAPE}${c}`);
  return match === 'prefix' ? `${literal}%` : `%${literal}%`;
}

export interface SearchPlan {
  mode: MemberSearchMode;
  term: string;
}

/** The look-up a query asks for: the mode given (checked against the term) or the one detected from it. */
export function planSearch(q: string, mode: MemberSearchMode | undefined): SearchPlan {
  const term = q.trim();
  const detected = detectMemberSearchMode(term);
  const chosen = mode ?? detected;
  if (!chosen || term.length > MEMBER_SEARCH_MAX_TERM) throw new DomainError('VALIDATION_FAILED');
  const fits: Record<MemberSearchMode, boolean> = {
    phone: /^1\d{10}$/.test(term),
    last4: /^\d{4}$/.test(term),
    memberNo: /^[1-9]\d{0,9}$/.test(term) && Number(term) <= 2 ** 31 - 1,
    // Any text a nickname may hold; a number typed as a nickname too, when asked for explicitly.
    nickname: term.length >= 1,
  };
  if (!fits[chosen]) throw new DomainError('VALIDATION_FAILED');
  return { mode: chosen, term };
}

/**
 * Where a page continues: the last row's id (id-ordered look-ups) or its nickname and id (prefix search walks
 * the nickname index in order). Opaque to the console; tied to the mode and term so it cannot be replayed on
 * another search.
 */
export interface SearchCursor {
  id: number;
  nickname?: string;
}

export function encodeSearchCursor(plan: SearchPlan, match: string, cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify({ m: plan.mode, t: plan.term, k: match, ...cursor })).toString('base64url');
}

export function decodeSearchCursor(text: string, plan: SearchPlan, match: string): SearchCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new DomainError('VALIDATION_FAILED');
  }
  const c = parsed as { m?: unknown; t?: unknown; k?: unknown; id?: unknown; nickname?: unknown };
  if (c.m !== plan.mode || c.t !== plan.term || c.k !== match || !Number.isSafeInteger(c.id) || (c.id as number) < 0)
    throw new DomainError('VALIDATION_FAILED');
  if (c.nickname !== undefined && typeof c.nickname !== 'string') throw new DomainError('VALIDATION_FAILED');
  return { id: c.id as number, ...(typeof c.nickname === 'string' ? { nickname: c.nickname } : {}) };
}

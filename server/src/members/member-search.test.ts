import { detectMemberSearchMode } from '@member/shared';
import { codeThrownBy } from '../testing/spec';
import { decodeSearchCursor, encodeSearchCursor, likePattern, planSearch } from './member-search';

describe('member search rules', () => {
  it('detects the mode from what was typed', () => {
    expect(detectMemberSearchMode('13800138000')).toBe('phone');
    expect(detectMemberSearchMode(' 8000 ')).toBe('last4');
    expect(detectMemberSearchMode('42')).toBe('memberNo');
    expect(detectMemberSearchMode('1234567890')).toBe('memberNo');
    expect(detectMemberSearchMode('张三')).toBe('nickname');
    expect(detectMemberSearchMode('138 0013')).toBe('nickname');
    expect(detectMemberSearchMode('123456789012')).toBeNull();
    expect(detectMemberSearchMode('  ')).toBeNull();
  });

  it('makes LIKE patterns that take %, _ and the escape character literally', () => {
    expect(likePattern('100%', 'prefix')).toBe('100!%%');
    expect(likePattern('a_b', 'contains')).toBe('%a!_b%');
    expect(likePattern('wow!', 'prefix')).toBe('wow!!%');
  });

  it('checks a mode given against the term', () => {
    expect(planSearch('1000', 'nickname')).toEqual({ mode: 'nickname', term: '1000' });
    const refused = (q: string, mode?: 'phone' | 'last4' | 'memberNo') => codeThrownBy(() => planSearch(q, mode));
    expect(refused('abc', 'phone')).toBe('VALIDATION_FAILED');
    expect(refused('23800138000', 'phone')).toBe('VALIDATION_FAILED');
    expect(refused('0', 'memberNo')).toBe('VALIDATION_FAILED');
    expect(refused('9999999999', 'memberNo')).toBe('VALIDATION_FAILED');
  });

  it('a cursor continues only its own search', () => {
    const plan = planSearch('8000', undefined);
    const cursor = encodeSearchCursor(plan, 'exact', { id: 41 });
    expect(decodeSearchCursor(cursor, plan, 'exact')).toEqual({ id: 41 });
    expect(() => decodeSearchCursor(cursor, planSearch('8001', undefined), 'exact')).toThrow();
    expect(() => decodeSearchCursor('not-json', plan, 'exact')).toThrow();
  });
});

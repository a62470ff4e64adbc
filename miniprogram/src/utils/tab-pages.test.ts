import { describe, expect, it } from '@jest/globals';
import { isTabPage, TAB_PAGES } from './tab-pages';

describe('tab pages', () => {
  it('knows the four tabs, with or without a query', () => {
    expect(TAB_PAGES).toHaveLength(4);
    expect(isTabPage('/pages/wallet/index')).toBe(true);
    expect(isTabPage('/pages/wallet/index?from=pay')).toBe(true);
  });
  it('does not take a pushed page for a tab', () => {
    expect(isTabPage('/pages/pay/index')).toBe(false);
    expect(isTabPage('/pages/wallet/index/extra')).toBe(false);
  });
});

/**
 * The tab pages (首页 / 会员码 / 券包 / 我的). WeChat refuses navigateTo/redirectTo to a tab page and
 * switchTab cannot carry a query, so every page opens others through openPage and tab pages read their
 * arguments from the app, not the URL.
 */
export const TAB_PAGES = ['/pages/card/index', '/pages/member-code/index', '/pages/wallet/index', '/pages/mine/index'] as const;

export const pathOf = (url: string) => url.split('?')[0];

export function isTabPage(url: string): boolean {
  return (TAB_PAGES as readonly string[]).includes(pathOf(url));
}

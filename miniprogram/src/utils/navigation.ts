import Taro from '@tarojs/taro';

/**
 * The tab pages (首页 / 会员码 / 券包 / 我的). WeChat refuses navigateTo/redirectTo to a tab page and
 * switchTab cannot carry a query, so every page opens others through openPage and tab pages read their
 * arguments from the app, not the URL.
 */
export const TAB_PAGES = ['/pages/card/index', '/pages/member-code/index', '/pages/wallet/index', '/pages/mine/index'] as const;

const pathOf = (url: string) => url.split('?')[0];

export function isTabPage(url: string): boolean {
  return (TAB_PAGES as readonly string[]).includes(pathOf(url));
}

/** Opens a page the way WeChat allows for it: a tab is switched to, any other page is pushed. */
export function openPage(url: string): void {
  if (isTabPage(url)) void Taro.switchTab({ url: pathOf(url) });
  else void Taro.navigateTo({ url });
}

/** Replaces the current page (after a form is done, say); a tab is switched to. */
export function replacePage(url: string): void {
  if (isTabPage(url)) void Taro.switchTab({ url: pathOf(url) });
  else void Taro.redirectTo({ url });
}

/** Back to 首页 from anywhere, dropping the page stack. */
export function backToHome(): void {
  void Taro.reLaunch({ url: TAB_PAGES[0] });
}

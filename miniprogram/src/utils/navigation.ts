import Taro from '@tarojs/taro';
import { isTabPage, pathOf, TAB_PAGES } from './tab-pages';

export { isTabPage, TAB_PAGES };

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

import type { Browser, Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleLoginPollView, ConsoleLoginTicketView } from '@member/shared';
import { TestApi } from './api-client';
import { REPO_ROOT } from './processes';
import type { Stack } from './stack';

/** The desktop size the console is judged at (issue 18). */
export const CONSOLE_VIEWPORT = { width: 1440, height: 900 };

/** What the console keeps in sessionStorage (server/console/src/session.ts). */
export const CONSOLE_SESSION_KEY = 'member-console-session';

/**
 * Signs `user` (a staff member of the stack) in to the console through the real scan-to-login API: the console
 * asks for a code, the staff member's phone opens and confirms it, the console collects its session.
 */
export async function consoleSession(stack: Stack, user: string): Promise<NonNullable<ConsoleLoginPollView['session']>> {
  const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
  const asked = await api.call<ConsoleLoginTicketView>('POST', '/console/login-tickets');
  if (asked.status !== 201) throw new Error(`console ticket: ${asked.status} ${JSON.stringify(asked.body)}`);
  const { token } = await api.login(user);
  for (const step of ['scan', 'confirm']) {
    const answer = await api.call('POST', `/staff/console-login/${asked.body.ticketId}/${step}`, { token });
    if (answer.status !== 200) throw new Error(`console ${step} as ${user}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  const polled = await api.call<ConsoleLoginPollView>(
    'GET',
    `/console/login-tickets/${asked.body.ticketId}?secret=${asked.body.pollSecret}`,
  );
  if (!polled.body.session) throw new Error(`console session not collected: ${JSON.stringify(polled.body)}`);
  return polled.body.session;
}

/** A desktop browser page (1440×900, zh-CN, Shanghai time) with nothing open yet. */
export async function desktopPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    viewport: CONSOLE_VIEWPORT,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  return context.newPage();
}

/**
 * The console signed in as `user`, open at `route` (e.g. 'members'): the session is put where the console keeps
 * it before the first page load, so tests of other pages skip the QR code (console-login-browser.e2e.ts drives it).
 */
export async function consolePage(browser: Browser, stack: Stack, user: string, route = ''): Promise<Page> {
  if (!existsSync(join(REPO_ROOT, 'server', 'console', 'dist', 'index.html'))) throw new Error('build the console first: npm run build');
  const session = await consoleSession(stack, user);
  const page = await desktopPage(browser);
  await page.addInitScript(([key, value]) => sessionStorage.setItem(key, value), [CONSOLE_SESSION_KEY, JSON.stringify(session)] as const);
  await page.goto(`${stack.serverUrl}/console/#/${route}`);
  return page;
}

import type { StaffRole } from './enums';

/**
 * Signing in to the desktop console by scanning (扫码登录): the console shows a QR code holding a ticket id; a
 * staff member scans it with the mini-program, sees which browser is signing in, and confirms or denies. The
 * console polls with a secret only it holds (the QR code is on a screen anyone nearby can photograph), and
 * collects a staff session once, after the confirmation.
 */
export const ConsoleLoginStatus = {
  /** Shown, not scanned yet. */
  Pending: 'pending',
  /** A staff member opened it on the phone and has not decided yet. */
  Scanned: 'scanned',
  Confirmed: 'confirmed',
  Denied: 'denied',
  /** Confirmed and its session handed to the console: it signs nobody in again. */
  Collected: 'collected',
  /** Not stored: a pending or scanned ticket past its time, or a confirmed one not collected in time. */
  Expired: 'expired',
} as const;
export type ConsoleLoginStatus = (typeof ConsoleLoginStatus)[keyof typeof ConsoleLoginStatus];

/** The staff page that confirms a console sign-in, in the mini-program (and the H5 build at the same route). */
export const CONSOLE_LOGIN_STAFF_PAGE = 'staff/console-login/index';

/**
 * What the console's QR code holds: the H5 address of the confirming staff page with the ticket. The mini-program's
 * scanner reads the ticket from it; a phone's browser opening it lands on the same page of the H5 build.
 */
export function consoleLoginQrContent(origin: string, ticketId: string): string {
  return `${origin}/#/${CONSOLE_LOGIN_STAFF_PAGE}?ticket=${ticketId}`;
}

/** The ticket id in a scanned text, or null when it is not one of our console codes. */
export function consoleTicketFromScan(scanned: string): string | null {
  const text = scanned.trim();
  if (!text.includes(CONSOLE_LOGIN_STAFF_PAGE)) return null;
  const match = /[?&]ticket=([A-Za-z0-9_-]{16,64})(?:[&#]|$)/.exec(text);
  return match ? match[1] : null;
}

/** POST /api/console/login-tickets: a new QR code for the console. */
export interface ConsoleLoginTicketView {
  ticketId: string;
  /** Only the console that asked knows it; polling needs it. */
  pollSecret: string;
  expiresAt: string;
}

/** GET /api/console/login-tickets/:id?secret=…: the console's poll. `session` appears once, when collected. */
export interface ConsoleLoginPollView {
  status: ConsoleLoginStatus;
  expiresAt: string;
  /** Who scanned it, once scanned (shown as 已扫码: 王经理). */
  staffName: string | null;
  session: { token: string; expiresAt: string; role: StaffRole; name: string | null; stores: string[] } | null;
}

/** GET /api/staff/console-login/:id: what the phone shows before the staff member confirms. */
export interface ConsoleLoginRequestView {
  ticketId: string;
  status: ConsoleLoginStatus;
  /** The browser and address that asked for the code, so a staff member can tell it is their own screen. */
  client: string;
  ip: string | null;
  requestedAt: string;
  expiresAt: string;
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '@member/config';
import { ConsoleLoginStatus, type ConsoleLoginPollView, type ConsoleLoginRequestView, type ConsoleLoginTicketView } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource, In, LessThan, MoreThan, type Repository } from 'typeorm';
import { SessionTokens, type SessionClaims } from '../auth/session';
import { StaffService, type StaffAccount } from '../auth/staff.service';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { ConsoleLoginTicket } from './console-login-ticket.entity';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const token = (bytes: number) => randomBytes(bytes).toString('base64url');

/** Who may sign in to the console: HQ and store managers. Clerks work at the till only. */
const CONSOLE_ROLES = new Set<StaffAccount['role']>(['admin', 'store_manager']);

/**
 * "Chrome 131 · Windows" from a user agent, so the phone can say which browser is asking. A version is at most
 * four digits: the header is the caller's to write, and the ticket keeps this in 200 characters.
 */
export function describeClient(userAgent: string | undefined): string {
  const ua = (userAgent ?? '').slice(0, 400);
  const browser =
    /Edg\/(\d{1,4})/.exec(ua)?.[1] !== undefined
      ? `Edge ${/Edg\/(\d{1,4})/.exec(ua)![1]}`
      : /Chrome\/(\d{1,4})/.exec(ua)
        ? `Chrome ${/Chrome\/(\d{1,4})/.exec(ua)![1]}`
        : /Firefox\/(\d{1,4})/.exec(ua)
          ? `Firefox ${/Firefox\/(\d{1,4})/.exec(ua)![1]}`
          : /Version\/(\d{1,4})[^ ]* Safari/.exec(ua)
            ? `Safari ${/Version\/(\d{1,4})/.exec(ua)![1]}`
            : '浏览器';
  const system = /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : null;
  return system ? `${browser} · ${system}` : browser;
}

/** The console's sign-in by scanning: tickets, the staff member's decision, and the one-time collection. */
@Injectable()
export class ConsoleLoginService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    dataSource: DataSource,
    private readonly sessions: SessionTokens,
    private readonly staff: StaffService,
    private readonly clock: Clock,
  ) {
    this.tickets = dataSource.getRepository(ConsoleLoginTicket);
  }

  private readonly tickets: Repository<ConsoleLoginTicket>;

  async create(userAgent: string | undefined, ip: string | null): Promise<ConsoleLoginTicketView> {
    const now = this.clock.now();
    // Tickets are short-lived: the ones long past are cleared as new ones are made, so the table stays small.
    await this.tickets.delete({ expiresAt: LessThan(new Date(now.getTime() - 86_400_000)) });
    const ticket = this.tickets.create({
      id: token(18),
      status: ConsoleLoginStatus.Pending,
      client: describeClient(userAgent),
      ip: ip?.slice(0, 64) ?? null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.consoleLogin.ticketSeconds * 1000),
      staffId: null,
      memberId: null,
      staffOpenid: null,
      decidedAt: null,
    });
    const pollSecret = token(24);
    ticket.pollSecretHash = sha256(pollSecret);
    await this.tickets.insert(ticket);
    return { ticketId: ticket.id, pollSecret, expiresAt: ticket.expiresAt.toISOString() };
  }

  /** The console's poll. The session is handed over exactly once: the UPDATE to collected decides who gets it. */
  async poll(id: string, secret: string): Promise<ConsoleLoginPollView> {
    const ticket = await this.tickets.findOneBy({ id });
    if (!ticket || !timingSafeEqual(Buffer.from(ticket.pollSecretHash), Buffer.from(sha256(secret))))
      throw new DomainError('CONSOLE_LOGIN_NOT_FOUND');
    const staffName = ticket.staffOpenid ? ((await this.staff.accountOf(ticket.staffOpenid))?.name ?? null) : null;
    const view = (status: ConsoleLoginStatus, session: ConsoleLoginPollView['session'] = null): ConsoleLoginPollView => ({
      status,
      expiresAt: ticket.expiresAt.toISOString(),
      staffName,
      session,
    });
    const status = this.effectiveStatus(ticket);
    if (status !== ConsoleLoginStatus.Confirmed) return view(status);
    const taken = await this.tickets.update({ id, status: ConsoleLoginStatus.Confirmed }, { status: ConsoleLoginStatus.Collected });
    if (taken.affected !== 1) return view(ConsoleLoginStatus.Collected);
    // Rights are read now, not at the confirmation: a role removed in between signs nobody in.
    const account = await this.staff.accountOf(ticket.staffOpenid!);
    if (!account || !CONSOLE_ROLES.has(account.role)) return view(ConsoleLoginStatus.Denied);
    const claims: SessionClaims = { memberId: ticket.memberId!, openid: ticket.staffOpenid! };
    const issued = this.sessions.issue(claims);
    return view(ConsoleLoginStatus.Collected, {
      token: issued.token,
      expiresAt: issued.expiresAt.toISOString(),
      role: account.role,
      name: account.name,
      stores: account.stores,
    });
  }

  /** The phone opened the code: it sees which browser asks, and the console sees 已扫码. */
  async scan(staff: StaffAccount, session: SessionClaims, id: string): Promise<ConsoleLoginRequestView> {
    const ticket = await this.open(staff, id);
    if (ticket.status === ConsoleLoginStatus.Pending) {
      await this.tickets.update(
        { id, status: ConsoleLoginStatus.Pending },
        { status: ConsoleLoginStatus.Scanned, staffId: staff.id, staffOpenid: staff.openid, memberId: session.memberId },
      );
      ticket.status = ConsoleLoginStatus.Scanned;
    }
    return {
      ticketId: ticket.id,
      status: ticket.status,
      client: ticket.client,
      ip: ticket.ip,
      requestedAt: ticket.createdAt.toISOString(),
      expiresAt: ticket.expiresAt.toISOString(),
    };
  }

  async confirm(staff: StaffAccount, session: SessionClaims, id: string): Promise<{ status: ConsoleLoginStatus }> {
    await this.open(staff, id);
    const now = this.clock.now();
    const decided = await this.tickets.update(
      { id, status: In([ConsoleLoginStatus.Pending, ConsoleLoginStatus.Scanned]), expiresAt: MoreThan(now) },
      {
        status: ConsoleLoginStatus.Confirmed,
        staffId: staff.id,
        staffOpenid: staff.openid,
        memberId: session.memberId,
        decidedAt: now,
        expiresAt: new Date(now.getTime() + this.config.consoleLogin.collectSeconds * 1000),
      },
    );
    if (decided.affected !== 1) await this.explainRefusal(id);
    return { status: ConsoleLoginStatus.Confirmed };
  }

  async deny(staff: StaffAccount, id: string): Promise<{ status: ConsoleLoginStatus }> {
    await this.open(staff, id);
    const now = this.clock.now();
    const decided = await this.tickets.update(
      { id, status: In([ConsoleLoginStatus.Pending, ConsoleLoginStatus.Scanned]), expiresAt: MoreThan(now) },
      { status: ConsoleLoginStatus.Denied, staffId: staff.id, staffOpenid: staff.openid, decidedAt: now },
    );
    if (decided.affected !== 1) await this.explainRefusal(id);
    return { status: ConsoleLoginStatus.Denied };
  }

  /** The ticket, when this staff member may act on it now; the stable error otherwise. */
  private async open(staff: StaffAccount, id: string): Promise<ConsoleLoginTicket> {
    if (!CONSOLE_ROLES.has(staff.role)) throw new DomainError('CONSOLE_LOGIN_ROLE_REFUSED');
    const ticket = await this.tickets.findOneBy({ id });
    if (!ticket) throw new DomainError('CONSOLE_LOGIN_NOT_FOUND');
    const status = this.effectiveStatus(ticket);
    if (status === ConsoleLoginStatus.Expired) throw new DomainError('CONSOLE_LOGIN_EXPIRED');
    if (status !== ConsoleLoginStatus.Pending && status !== ConsoleLoginStatus.Scanned) throw new DomainError('CONSOLE_LOGIN_USED');
    // Scanned by someone else first: a second phone may not take over a code another is deciding on.
    if (ticket.staffId !== null && ticket.staffId !== staff.id) throw new DomainError('CONSOLE_LOGIN_USED');
    return ticket;
  }

  /** The decision lost a race (another decision, or the code's time ran out in between): say which. */
  private async explainRefusal(id: string): Promise<never> {
    const ticket = await this.tickets.findOneBy({ id });
    if (!ticket) throw new DomainError('CONSOLE_LOGIN_NOT_FOUND');
    throw new DomainError(this.effectiveStatus(ticket) === ConsoleLoginStatus.Expired ? 'CONSOLE_LOGIN_EXPIRED' : 'CONSOLE_LOGIN_USED');
  }

  private effectiveStatus(ticket: ConsoleLoginTicket): ConsoleLoginStatus {
    const open =
      ticket.status === ConsoleLoginStatus.Pending ||
      ticket.status === ConsoleLoginStatus.Scanned ||
      ticket.status === ConsoleLoginStatus.Confirmed;
    return open && ticket.expiresAt.getTime() <= this.clock.now().getTime() ? ConsoleLoginStatus.Expired : ticket.status;
  }
}

import type { SessionClaims } from '../auth/session';
import { SessionTokens } from '../auth/session';
import { StaffService, type StaffAccount } from '../auth/staff.service';
import { TEST_DATABASES } from '../testing/databases';
import { codeOf } from '../testing/spec';
import { startTestApp, type TestApp } from '../testing/test-app';
import { describeClient, ConsoleLoginService } from './console-login.service';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe.each(TEST_DATABASES)('console sign-in by scanning (扫码登录) on %s', (kind) => {
  let t: TestApp;
  let logins: ConsoleLoginService;
  let staff: StaffService;
  let manager: StaffAccount;
  let admin: StaffAccount;
  let clerk: StaffAccount;
  const phoneOf = (account: StaffAccount, memberId: number): SessionClaims => ({ memberId, openid: account.openid });
  const failure = (promise: Promise<unknown>) => promise.then(() => 'no error', codeOf);

  beforeAll(async () => {
    t = await startTestApp(kind);
    logins = t.app.get(ConsoleLoginService);
    staff = t.app.get(StaffService);
    await staff.bind('o-console-manager', 'store_manager', '林店长', ['S001']);
    await staff.bind('o-console-admin', 'admin', '王总');
    await staff.bind('o-console-clerk', 'clerk', '周店员', ['S001']);
    manager = (await staff.accountOf('o-console-manager'))!;
    admin = (await staff.accountOf('o-console-admin'))!;
    clerk = (await staff.accountOf('o-console-clerk'))!;
  });
  afterAll(() => t?.close());

  it('names the asking browser for the phone', () => {
    expect(describeClient(CHROME)).toBe('Chrome 131 · Windows');
    expect(describeClient(undefined)).toBe('浏览器');
  });

  it('keeps what a hostile user agent says within the ticket (a 380-digit version number)', async () => {
    // The version was copied whole: 397 characters for a column of 200, a 500 on MySQL for anyone's request.
    const agent = `Mozilla/5.0 (Windows NT 10.0) Chrome/${'1'.repeat(380)} Safari/537.36`;
    expect(describeClient(agent)).toBe('Chrome 1111 · Windows');
    const ticket = await logins.create(agent, '10.0.0.9');
    expect(await logins.poll(ticket.ticketId, ticket.pollSecret)).toMatchObject({ status: 'pending' });
  });

  it('pending → scanned → confirmed → collected: one session, for the confirming manager, handed over once', async () => {
    const ticket = await logins.create(CHROME, '10.0.0.8');
    expect((await logins.poll(ticket.ticketId, ticket.pollSecret)).status).toBe('pending');
    const request = await logins.scan(manager, phoneOf(manager, 501), ticket.ticketId);
    expect(request).toMatchObject({ status: 'scanned', client: 'Chrome 131 · Windows', ip: '10.0.0.8' });
    expect(await logins.poll(ticket.ticketId, ticket.pollSecret)).toMatchObject({ status: 'scanned', staffName: '林店长', session: null });
    await logins.confirm(manager, phoneOf(manager, 501), ticket.ticketId);

    const [first, second] = await Promise.all([
      logins.poll(ticket.ticketId, ticket.pollSecret),
      logins.poll(ticket.ticketId, ticket.pollSecret),
    ]);
    const sessions = [first, second].filter((poll) => poll.session);
    expect(sessions).toHaveLength(1);
    expect(sessions[0].session).toMatchObject({ role: 'store_manager', name: '林店长', stores: ['S001'] });
    expect(t.app.get(SessionTokens).verify(sessions[0].session!.token)).toEqual({ memberId: 501, openid: 'o-console-manager' });
    expect(await logins.poll(ticket.ticketId, ticket.pollSecret)).toMatchObject({ status: 'collected', session: null });
  });

  it('polling needs the secret the console got: the id alone (it is in the QR code) reveals nothing', async () => {
    const ticket = await logins.create(CHROME, null);
    await logins.scan(admin, phoneOf(admin, 502), ticket.ticketId);
    await logins.confirm(admin, phoneOf(admin, 502), ticket.ticketId);
    expect(await failure(logins.poll(ticket.ticketId, 'x'.repeat(32)))).toBe('CONSOLE_LOGIN_NOT_FOUND');
    expect((await logins.poll(ticket.ticketId, ticket.pollSecret)).session?.role).toBe('admin');
  });

  it('refuses clerks, a second phone, a decided code and an expired one, each with its reason', async () => {
    const ticket = await logins.create(CHROME, null);
    expect(await failure(logins.scan(clerk, phoneOf(clerk, 503), ticket.ticketId))).toBe('CONSOLE_LOGIN_ROLE_REFUSED');
    await logins.scan(manager, phoneOf(manager, 501), ticket.ticketId);
    expect(await failure(logins.confirm(admin, phoneOf(admin, 502), ticket.ticketId))).toBe('CONSOLE_LOGIN_USED');
    await logins.deny(manager, ticket.ticketId);
    expect(await failure(logins.confirm(manager, phoneOf(manager, 501), ticket.ticketId))).toBe('CONSOLE_LOGIN_USED');
    expect((await logins.poll(ticket.ticketId, ticket.pollSecret)).status).toBe('denied');
    expect(await failure(logins.scan(manager, phoneOf(manager, 501), 'a'.repeat(24)))).toBe('CONSOLE_LOGIN_NOT_FOUND');

    const late = await logins.create(CHROME, null);
    t.clock.advance(t.config.consoleLogin.ticketSeconds + 1);
    expect((await logins.poll(late.ticketId, late.pollSecret)).status).toBe('expired');
    expect(await failure(logins.scan(manager, phoneOf(manager, 501), late.ticketId))).toBe('CONSOLE_LOGIN_EXPIRED');
  });

  it('a confirmed code not collected in time signs nobody in', async () => {
    const ticket = await logins.create(CHROME, null);
    await logins.confirm(manager, phoneOf(manager, 501), ticket.ticketId);
    t.clock.advance(t.config.consoleLogin.collectSeconds + 1);
    expect(await logins.poll(ticket.ticketId, ticket.pollSecret)).toMatchObject({ status: 'expired', session: null });
  });

  it('confirm and deny at once: exactly one wins, and the console sees that one', async () => {
    for (let round = 0; round < 5; round++) {
      const ticket = await logins.create(CHROME, null);
      const outcomes = await Promise.all([
        failure(logins.confirm(manager, phoneOf(manager, 501), ticket.ticketId)),
        failure(logins.deny(manager, ticket.ticketId)),
      ]);
      expect(outcomes.filter((outcome) => outcome === 'no error')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'CONSOLE_LOGIN_USED')).toHaveLength(1);
      const poll = await logins.poll(ticket.ticketId, ticket.pollSecret);
      expect(poll.status).toBe(outcomes[0] === 'no error' ? 'collected' : 'denied');
    }
  });

  it('a manager whose role is taken away between the confirmation and the collection gets no session', async () => {
    await staff.bind('o-console-leaving', 'store_manager', '离职店长', ['S001']);
    const leaving = (await staff.accountOf('o-console-leaving'))!;
    const ticket = await logins.create(CHROME, null);
    await logins.confirm(leaving, phoneOf(leaving, 504), ticket.ticketId);
    await staff.unbind('o-console-leaving');
    expect(await logins.poll(ticket.ticketId, ticket.pollSecret)).toMatchObject({ status: 'denied', session: null });
  });
});

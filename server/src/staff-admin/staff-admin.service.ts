import { createHash, randomBytes } from 'node:crypto';
import type { AppConfig } from '@member/config';
import {
  StaffInviteStatus,
  StoreStatus,
  type StaffAdminView,
  type StaffInviteAcceptedView,
  type StaffInviteCreatedView,
  type StaffInvitePreview,
  type StaffInviteView,
  type StaffRole,
  type StoreAdminView,
} from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource, MoreThan, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { SessionClaims } from '../auth/session';
import { StaffService, StaffSource, type StaffAccount, type StaffListEntry } from '../auth/staff.service';
import { StoresService } from '../auth/stores.service';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { StaffInvite } from './staff-invite.entity';
import { grantRefusal, manageRefusal, seesStaff } from './staff-rules';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export interface InviteRequest {
  role: StaffRole;
  stores: string[];
  name?: string | null;
}

/** How many invites the console lists (newest first): invites are short-lived, older ones are history. */
const INVITES_LISTED = 50;

/**
 * The console's stores and staff (门店与员工) and staff invites by QR code (邀请员工). Accounts are written only
 * through StaffService (the auth module owns staff_member); this module owns staff_invite. Accounts that config
 * lists are config's: the console shows them but does not change them (config re-applies them at every start).
 */
@Injectable()
export class StaffAdminService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly staff: StaffService,
    private readonly storesService: StoresService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Stores with how many enabled accounts work at each; a manager sees their own stores only. */
  async stores(actor: StaffAccount): Promise<StoreAdminView[]> {
    const stores = await this.storesService.all();
    const counts = new Map<string, number>();
    for (const account of await this.staff.list())
      if (account.disabledAt === null) for (const code of account.stores) counts.set(code, (counts.get(code) ?? 0) + 1);
    return stores
      .filter((store) => actor.role === 'admin' || actor.stores.includes(store.code))
      .map((store) => ({ code: store.code, name: store.name, status: store.status, staffCount: counts.get(store.code) ?? 0 }));
  }

  /** 停业 / 恢复营业 (HQ): a closed store keeps its history but takes no new sales (StoresService.storeFor). */
  async setStoreStatus(code: string, status: StoreStatus): Promise<StoreAdminView> {
    const changed = await this.storesService.setStatus(code, status);
    if (!changed) throw new DomainError('STORE_UNKNOWN');
    const staffCount = (await this.staff.list()).filter((s) => s.disabledAt === null && s.stores.includes(code)).length;
    return { code: changed.code, name: changed.name, status: changed.status, staffCount };
  }

  async list(actor: StaffAccount): Promise<StaffAdminView[]> {
    return (await this.staff.list()).filter((account) => seesStaff(actor, account)).map(toView);
  }

  /** A new role and stores for an account the actor may manage (grantRefusal, manageRefusal). */
  async change(actor: StaffAccount, id: number, wanted: { role: StaffRole; stores: string[] }): Promise<StaffAdminView> {
    return this.transactions.run(async (em) => {
      const target = await this.manageable(em, actor, id);
      const refusal = grantRefusal(actor, wanted);
      if (refusal) throw new DomainError(refusal);
      const stores = wanted.role === 'admin' ? [] : await this.openStores(em, wanted.stores);
      await this.staff.changeRole(em, target.id, wanted.role, stores);
      return toView((await this.staff.byId(id, em))!);
    });
  }

  /** 停用 / 启用. A disabled account is refused by StaffGuard on its next request (the guard reads the table each time). */
  async setDisabled(actor: StaffAccount, id: number, disabled: boolean): Promise<StaffAdminView> {
    return this.transactions.run(async (em) => {
      const target = await this.manageable(em, actor, id);
      await this.staff.setDisabled(em, target.id, disabled ? this.clock.now() : null);
      return toView((await this.staff.byId(id, em))!);
    });
  }

  async createInvite(actor: StaffAccount, request: InviteRequest): Promise<StaffInviteCreatedView> {
    const refusal = grantRefusal(actor, request);
    if (refusal) throw new DomainError(refusal);
    const token = randomBytes(18).toString('base64url');
    const now = this.clock.now();
    const invite = await this.transactions.run(async (em) => {
      const stores = request.role === 'admin' ? [] : await this.openStores(em, request.stores);
      const row = em.create(StaffInvite, {
        tokenHash: sha256(token),
        role: request.role,
        stores: stores.join(','),
        name: request.name ?? null,
        status: StaffInviteStatus.Pending,
        createdByStaffId: actor.id,
        createdByName: actor.name,
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.config.staffInvites.inviteSeconds * 1000),
        acceptedStaffId: null,
        acceptedOpenid: null,
        decidedAt: null,
        revokedByStaffId: null,
      });
      await em.insert(StaffInvite, row);
      return row;
    });
    return { ...this.inviteView(invite), token };
  }

  /** Recent invites, newest first: HQ sees all; a manager the ones they made and the ones for their stores. */
  async invites(actor: StaffAccount): Promise<StaffInviteView[]> {
    const rows = await this.dataSource.getRepository(StaffInvite).find({ order: { id: 'DESC' }, take: INVITES_LISTED });
    return rows
      .filter(
        (row) => actor.role === 'admin' || row.createdByStaffId === actor.id || seesStaff(actor, { role: row.role, stores: storesOf(row) }),
      )
      .map((row) => this.inviteView(row));
  }

  /** 撤销: a pending invite stops working at once. An accepted one is past revoking (disable the account instead). */
  async revokeInvite(actor: StaffAccount, id: number): Promise<StaffInviteView> {
    const repository = this.dataSource.getRepository(StaffInvite);
    const invite = await repository.findOneBy({ id });
    if (!invite) throw new DomainError('STAFF_INVITE_NOT_FOUND');
    if (
      actor.role !== 'admin' &&
      invite.createdByStaffId !== actor.id &&
      grantRefusal(actor, { role: invite.role, stores: storesOf(invite) })
    )
      throw new DomainError('STAFF_MANAGE_REFUSED');
    const now = this.clock.now();
    const revoked = await repository.update(
      { id, status: StaffInviteStatus.Pending, expiresAt: MoreThan(now) },
      { status: StaffInviteStatus.Revoked, decidedAt: now, revokedByStaffId: actor.id },
    );
    if (revoked.affected !== 1) throw new DomainError(this.refusalOf(await repository.findOneByOrFail({ id })));
    return this.inviteView(await repository.findOneByOrFail({ id }));
  }

  /** What the invitee sees on the phone before accepting: the stores by name, the role, who invited. */
  async preview(token: string): Promise<StaffInvitePreview> {
    const invite = await this.byToken(token);
    const codes = storesOf(invite);
    const stores = await this.storesService.byCodes(codes);
    return {
      role: invite.role,
      stores: stores.map((store) => ({ code: store.code, name: store.name })),
      name: invite.name,
      invitedBy: invite.createdByName,
      status: this.statusOf(invite),
      expiresAt: invite.expiresAt.toISOString(),
    };
  }

  /**
   * The invitee accepts: in one transaction the invite moves pending → accepted (a conditional UPDATE, so of two
   * acceptances at once only one goes on) and the account is made. A user who is staff already is refused and the
   * invite stays usable; the same user accepting two invites at once meets the unique openid and gets one account.
   */
  async accept(session: SessionClaims, token: string): Promise<StaffInviteAcceptedView> {
    const invite = await this.byToken(token);
    // A spent code says so first, whoever scans it (also the person who used it).
    if (this.statusOf(invite) !== StaffInviteStatus.Pending) throw new DomainError(this.refusalOf(invite));
    const now = this.clock.now();
    let accepted: StaffInviteAcceptedView;
    try {
      accepted = await this.transactions.run(async (em) => {
        if ((await this.staff.findByOpenid(session.openid)) !== null) throw new DomainError('STAFF_ALREADY_STAFF');
        // The invite acts on its maker's authority, judged now: a maker disabled, removed or no longer running those
        // stores since (a manager let go with invites still open) has none left to lend.
        const maker = await this.staff.byId(invite.createdByStaffId, em);
        if (!maker || maker.disabledAt !== null || grantRefusal(maker, { role: invite.role, stores: storesOf(invite) }))
          throw new DomainError('STAFF_INVITE_REVOKED');
        const taken = await em.update(
          StaffInvite,
          { id: invite.id, status: StaffInviteStatus.Pending, expiresAt: MoreThan(now) },
          { status: StaffInviteStatus.Accepted, acceptedOpenid: session.openid, decidedAt: now },
        );
        if (taken.affected !== 1) throw new DomainError(this.refusalOf(await em.findOneByOrFail(StaffInvite, { id: invite.id })));
        // A store closed since the invite was made is left out; none left for a store role: nothing to join.
        const stores = invite.role === 'admin' ? [] : await this.openStores(em, storesOf(invite), { dropClosed: true });
        const staffId = await this.staff.enrolFromInvite(em, session.openid, invite.role, invite.name, stores);
        if (staffId === null) throw new DomainError('STAFF_ALREADY_STAFF');
        await em.update(StaffInvite, { id: invite.id }, { acceptedStaffId: staffId });
        return { staffId, role: invite.role, stores };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('STAFF_ALREADY_STAFF');
      throw error;
    }
    // Not a StaffGuard route, so the audit interceptor does not see it: the new account records its own arrival.
    await this.audit.record(
      { id: accepted.staffId, openid: session.openid, role: accepted.role },
      { action: 'staff.invite.accept', outcome: 'ok', target: invite.id, storeCode: accepted.stores[0] ?? null },
    );
    return accepted;
  }

  private async byToken(token: string): Promise<StaffInvite> {
    const invite = await this.dataSource.getRepository(StaffInvite).findOneBy({ tokenHash: sha256(token) });
    if (!invite) throw new DomainError('STAFF_INVITE_NOT_FOUND');
    return invite;
  }

  private async manageable(em: EntityManager, actor: StaffAccount, id: number): Promise<StaffListEntry> {
    const target = await this.staff.byId(id, em);
    if (!target || !seesStaff(actor, target)) throw new DomainError('STAFF_NOT_FOUND');
    const refusal = manageRefusal(actor, target);
    if (refusal) throw new DomainError(refusal);
    if (target.source === StaffSource.Config) throw new DomainError('STAFF_FROM_CONFIG');
    return target;
  }

  /** The codes, each an open store (STORE_UNKNOWN otherwise), or with `dropClosed` just the open ones. */
  private async openStores(em: EntityManager, codes: string[], options: { dropClosed?: boolean } = {}): Promise<string[]> {
    const wanted = [...new Set(codes)].sort();
    if (!wanted.length) return [];
    const open = await this.storesService.openAmong(em, wanted);
    if (!options.dropClosed && open.size !== wanted.length) throw new DomainError('STORE_UNKNOWN');
    const kept = wanted.filter((code) => open.has(code));
    if (!kept.length) throw new DomainError('STORE_UNKNOWN');
    return kept;
  }

  private statusOf(invite: StaffInvite): StaffInviteStatus {
    return invite.status === StaffInviteStatus.Pending && invite.expiresAt.getTime() <= this.clock.now().getTime()
      ? StaffInviteStatus.Expired
      : invite.status;
  }

  private refusalOf(invite: StaffInvite) {
    const status = this.statusOf(invite);
    if (status === StaffInviteStatus.Expired) return 'STAFF_INVITE_EXPIRED' as const;
    if (status === StaffInviteStatus.Revoked) return 'STAFF_INVITE_REVOKED' as const;
    return 'STAFF_INVITE_USED' as const;
  }

  private inviteView(invite: StaffInvite): StaffInviteView {
    return {
      id: invite.id,
      role: invite.role,
      stores: storesOf(invite),
      name: invite.name,
      status: this.statusOf(invite),
      createdBy: invite.createdByName,
      createdAt: invite.createdAt.toISOString(),
      expiresAt: invite.expiresAt.toISOString(),
      acceptedStaffId: invite.acceptedStaffId,
      acceptedAt: invite.status === StaffInviteStatus.Accepted && invite.decidedAt ? invite.decidedAt.toISOString() : null,
    };
  }
}

const storesOf = (invite: StaffInvite): string[] => (invite.stores ? invite.stores.split(',') : []);

function toView(account: StaffListEntry): StaffAdminView {
  return {
    id: account.id,
    openid: account.openid,
    name: account.name,
    role: account.role,
    stores: account.stores,
    source: account.source,
    disabled: account.disabledAt !== null,
    createdAt: account.createdAt.toISOString(),
  };
}

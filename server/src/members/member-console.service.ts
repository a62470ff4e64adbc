import type { AppConfig } from '@member/config';
import {
  AccountStatus,
  MEMBER_CONSOLE_ACTIONS,
  mayDoMemberAction,
  type AuditLogPage,
  type ConsolePointsAdjustmentRequest,
  type FeedbackListResponse,
  type GiveCouponRequest,
  type GiveCouponView,
  type GoodwillOptions,
  type MemberConsoleAction,
  type MemberConsoleProfile,
  type MemberMessagesResponse,
  type MemberOrderListResponse,
  type MemberPhoneReveal,
  type MessageKind,
  type PointsAdjustmentView,
  type PointsResponse,
  type ConsoleWalletResponse,
  type WalletTab,
} from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import { AuditService } from '../audit/audit.service';
import { InjectConfig } from '../common/app-config';
import { DomainError } from '../common/domain-error';
import { WalletService } from '../coupons/wallet.service';
import { CouponGiftsService } from '../feedback/coupon-gifts.service';
import { FeedbackStaffService } from '../feedback/feedback-staff.service';
import { FeedbackService } from '../feedback/feedback.service';
import { PointsAdjustmentsService } from '../feedback/points-adjustments.service';
import { memberOutboxPage } from '../messages/member-outbox.read';
import { MyOrdersService } from '../orders/my-orders.service';
import { ordersRepository } from '../orders/orders.repository';
import { PointsHistoryService } from '../points/points-history.service';
import { membersRepository, type MemberRecord } from './members.repository';
import { PhoneVault } from './phone-vault';

/**
 * A member's page in the console: the profile and one read per tab, each through the module that owns the
 * rows (orders: 我的订单's list, points: the points page, coupons: the wallet, feedback: the member's cases,
 * messages: the outbox, audit: the audit log), and the actions each role may take (MEMBER_CONSOLE_ACTIONS),
 * each through the service that already does it with its limit and idempotency key.
 *
 * Who may open whom: HQ admins any member; store managers their members (a settled sale at one of their
 * stores: MEMBER_NOT_YOURS otherwise); clerks nothing (FORBIDDEN), whatever the route.
 */
@Injectable()
export class MemberConsoleService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly phoneVault: PhoneVault,
    private readonly orders: MyOrdersService,
    private readonly points: PointsHistoryService,
    private readonly wallet: WalletService,
    private readonly feedback: FeedbackService,
    private readonly feedbackStaff: FeedbackStaffService,
    private readonly audit: AuditService,
    private readonly adjustments: PointsAdjustmentsService,
    private readonly gifts: CouponGiftsService,
  ) {}

  async profile(staff: StaffAccount, memberId: number): Promise<MemberConsoleProfile> {
    const member = await this.mine(staff, memberId);
    return {
      id: member.id,
      nickname: member.nickname,
      phoneMasked: member.phoneMasked,
      tier: member.tier,
      lifecycleStatus: member.lifecycleStatus,
      accountStatus: member.accountStatus,
      pointsBalance: member.pointsBalance,
      joinedAt: member.joinedAt?.toISOString() ?? null,
      lastPurchaseAt: member.lastPurchaseAt?.toISOString() ?? null,
      birthday: member.birthday,
      stores: await ordersRepository.storesOfMember(this.dataSource.manager, memberId),
      actions: member.accountStatus === AccountStatus.Deleted ? [] : [...MEMBER_CONSOLE_ACTIONS[staff.role]],
    };
  }

  /** 消费记录: app orders and till purchases with their refunds, newest first (我的订单's own list and cursor). */
  async purchases(staff: StaffAccount, memberId: number, cursor?: string): Promise<MemberOrderListResponse> {
    await this.mine(staff, memberId);
    return this.orders.list(memberId, cursor);
  }

  /** 积分明细: balance, the lots expiring soonest, the ledger a page at a time. */
  async pointsHistory(staff: StaffAccount, memberId: number, before: number | null): Promise<PointsResponse> {
    const member = await this.mine(staff, memberId);
    // The points page is a joined member's; a deleted account (joined_at cleared) shows its balance only.
    if (!member.joinedAt) return { balance: member.pointsBalance, expiring: [], lines: [], nextBefore: null };
    return this.points.history(memberId, before);
  }

  /** 优惠券 by status, without the codes (bearer secrets: whoever reads one can redeem it at a till). */
  async coupons(staff: StaffAccount, memberId: number, tab: WalletTab): Promise<ConsoleWalletResponse> {
    await this.mine(staff, memberId);
    const wallet = await this.wallet.wallet(memberId, tab);
    return { ...wallet, coupons: wallet.coupons.map(({ code: _code, ...coupon }) => coupon) };
  }

  async messages(staff: StaffAccount, memberId: number, query: { kind?: MessageKind; before?: number }): Promise<MemberMessagesResponse> {
    await this.mine(staff, memberId);
    return memberOutboxPage(this.dataSource.manager, memberId, { ...query, limit: this.config.memberConsole.pageSize });
  }

  /** 投诉反馈: the member's cases, newest first (every store's: a complaint elsewhere is part of the picture). */
  async complaints(staff: StaffAccount, memberId: number): Promise<FeedbackListResponse> {
    await this.mine(staff, memberId);
    return this.feedback.list(memberId);
  }

  /**
   * 操作记录: staff actions on this member (and the member's own, such as 注销), newest first. A store manager
   * sees their stores' entries only, as in the console's audit log: HQ's own (a phone revealed, points adjusted)
   * and other stores' are not theirs, though the member is.
   */
  async auditTrail(staff: StaffAccount, memberId: number, before?: number): Promise<AuditLogPage> {
    await this.mine(staff, memberId);
    const stores = staff.role === 'admin' ? undefined : staff.stores;
    return this.audit.page({ memberId, before, limit: this.config.memberConsole.pageSize, stores });
  }

  /** The coupons this account may give (its role's goodwill limit), for the 赠送优惠券 dialog. */
  async couponOptions(staff: StaffAccount, memberId: number): Promise<GoodwillOptions> {
    await this.mine(staff, memberId);
    this.assertMay(staff, 'give_coupon');
    return this.feedbackStaff.goodwillOptions(staff);
  }

  /** The full number, decrypted, for HQ only; the route is audited (member.phone_reveal), every time. */
  async revealPhone(staff: StaffAccount, memberId: number): Promise<MemberPhoneReveal> {
    this.assertMay(staff, 'reveal_phone');
    const member = await this.mine(staff, memberId);
    if (!member.phoneCipher) return { memberId, phone: null };
    // Sealed as "+86 13800138000": the console shows the national number.
    const sealed = this.phoneVault.open(member.phoneCipher);
    return { memberId, phone: sealed.split(' ').slice(1).join('') || sealed };
  }

  async adjustPoints(staff: StaffAccount, memberId: number, request: ConsolePointsAdjustmentRequest): Promise<PointsAdjustmentView> {
    this.assertMay(staff, 'adjust_points');
    await this.joined(staff, memberId);
    return this.adjustments.adjust(staff, { memberId, ...request });
  }

  async giveCoupon(staff: StaffAccount, memberId: number, request: GiveCouponRequest): Promise<GiveCouponView> {
    this.assertMay(staff, 'give_coupon');
    await this.joined(staff, memberId);
    return this.gifts.give(staff, { memberId, ...request });
  }

  private assertMay(staff: StaffAccount, action: MemberConsoleAction): void {
    if (!mayDoMemberAction(staff.role, action)) throw new DomainError('FORBIDDEN');
  }

  /** The member, if this account may open them (see the class comment). */
  private async mine(staff: StaffAccount, memberId: number): Promise<MemberRecord> {
    if (staff.role !== 'admin' && staff.role !== 'store_manager') throw new DomainError('FORBIDDEN');
    const member = await membersRepository.find(this.dataSource.manager, memberId);
    if (!member) throw new DomainError('MEMBER_NOT_FOUND');
    if (staff.role === 'store_manager') {
      const stores = await ordersRepository.storesOfMember(this.dataSource.manager, memberId);
      if (!stores.some((store) => staff.stores.includes(store))) throw new DomainError('MEMBER_NOT_YOURS');
    }
    return member;
  }

  /** Actions give to a member who is a member: joined and not deleted. */
  private async joined(staff: StaffAccount, memberId: number): Promise<MemberRecord> {
    const member = await this.mine(staff, memberId);
    if (!member.joinedAt || member.accountStatus === AccountStatus.Deleted) throw new DomainError('MEMBER_NOT_JOINED');
    return member;
  }
}

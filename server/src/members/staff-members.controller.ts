import type { IdentifiedMemberView, StaffMemberView, StaffProfile, VerifyMemberCodeRequest } from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CurrentStaff, StaffGuard } from '../auth/auth.guards';
import { MemberAccessService } from '../auth/member-access.service';
import { MemberCodeGate } from '../auth/member-code-gate';
import type { StaffAccount } from '../auth/staff.service';
import { StoresService } from '../auth/stores.service';
import { TillTicketsService } from '../auth/till-tickets.service';
import { Audited } from '../audit/audit.interceptor';
import { ZodPipe } from '../common/zod.pipe';
import { MemberCardService } from './member-card.service';
import { memberIdParam, verifyMemberCodeBody } from './members.dto';

const memberRead = {
  describe: ({ result, params }: { result?: Record<string, unknown>; params?: Record<string, unknown> }) => ({
    memberId: (result?.id as number | undefined) ?? (params?.id as number | undefined) ?? null,
    target: null,
  }),
};

/** Staff pages: who am I, and who is this member (by the code they show; by id only while serving them). */
@Controller('staff')
@UseGuards(StaffGuard)
export class StaffMembersController {
  constructor(
    private readonly cards: MemberCardService,
    private readonly stores: StoresService,
    private readonly gate: MemberCodeGate,
    private readonly access: MemberAccessService,
    private readonly tickets: TillTicketsService,
  ) {}

  @Get('me')
  async me(@CurrentStaff() staff: StaffAccount): Promise<StaffProfile> {
    const active = await this.stores.active();
    const mine = staff.role === 'admin' ? active : active.filter((store) => staff.stores.includes(store.code));
    return {
      openid: staff.openid,
      role: staff.role,
      name: staff.name,
      stores: mine.map((store) => ({ code: store.code, name: store.name })),
    };
  }

  /**
   * Wrong codes are counted and locked out (MemberCodeGate); a genuine one lets this clerk read the member for a
   * while, and hands the clerk a till ticket for the rest of the sale (the code itself rotates every minute).
   */
  @Post('member-code/verify')
  @HttpCode(200)
  @Audited('member_code.verify', memberRead.describe)
  async verify(
    @CurrentStaff() staff: StaffAccount,
    @Body(new ZodPipe(verifyMemberCodeBody)) body: VerifyMemberCodeRequest,
  ): Promise<IdentifiedMemberView> {
    // A named store must be one of the account's; none named: the account's only store, or none yet (several).
    const storeCode =
      body.storeCode !== undefined
        ? await this.stores.storeFor(staff, body.storeCode)
        : staff.role !== 'admin' && staff.stores.length === 1
          ? staff.stores[0]
          : null;
    const view = await this.gate.check(
      staff,
      body.code,
      () => this.cards.verifyCode(body.code),
      (member) => member.id,
    );
    const { ticket, expiresAt } = this.tickets.issue(staff, view.id, storeCode);
    return { ...view, tillTicket: ticket, tillTicketExpiresAt: expiresAt.toISOString(), tillStoreCode: storeCode };
  }

  @Get('members/:id')
  @Audited('member.view', memberRead.describe)
  async member(@CurrentStaff() staff: StaffAccount, @Param('id', new ZodPipe(memberIdParam)) id: number): Promise<StaffMemberView> {
    await this.access.assertMayRead(staff, id);
    return this.cards.staffView(id);
  }
}

import type {
  StaffAdminView,
  StaffInviteAcceptedView,
  StaffInviteCreatedView,
  StaffInvitePreview,
  StaffInviteView,
  StaffRole,
  StoreAdminView,
  StoreStatus,
} from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CurrentSession, CurrentStaff, MemberAuthGuard, StaffGuard, StaffRoles } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import type { StaffAccount } from '../auth/staff.service';
import { Audited } from '../audit/audit.interceptor';
import { ZodPipe } from '../common/zod.pipe';
import {
  changeStaffBody,
  createInviteBody,
  disableStaffBody,
  inviteTokenParam,
  staffIdParam,
  storeCodeParam,
  storeStatusBody,
} from './staff-admin.dto';
import { StaffAdminService, type InviteRequest } from './staff-admin.service';

type Json = Record<string, unknown> | undefined;
const staffFacts = ({ params, result }: { params?: Json; result?: Json }) => ({
  target: (params?.id as number | undefined) ?? (result?.id as number | undefined) ?? null,
  storeCode: ((result?.stores as string[] | undefined) ?? [])[0] ?? null,
});

/** 门店与员工 in the console: HQ and store managers (a manager: the clerks of their own stores). */
@Controller('staff/admin')
@UseGuards(StaffGuard)
@StaffRoles('admin', 'store_manager')
export class StaffAdminController {
  constructor(private readonly admin: StaffAdminService) {}

  @Get('stores')
  stores(@CurrentStaff() staff: StaffAccount): Promise<StoreAdminView[]> {
    return this.admin.stores(staff);
  }

  @Post('stores/:code/status')
  @HttpCode(200)
  @StaffRoles('admin')
  @Audited('store.status', ({ params }) => ({ target: (params?.code as string) ?? null, storeCode: (params?.code as string) ?? null }))
  storeStatus(
    @Param(new ZodPipe(storeCodeParam)) params: { code: string },
    @Body(new ZodPipe(storeStatusBody)) body: { status: StoreStatus },
  ): Promise<StoreAdminView> {
    return this.admin.setStoreStatus(params.code, body.status);
  }

  @Get('staff')
  list(@CurrentStaff() staff: StaffAccount): Promise<StaffAdminView[]> {
    return this.admin.list(staff);
  }

  @Post('staff/:id/role')
  @HttpCode(200)
  @Audited('staff.change', staffFacts)
  change(
    @CurrentStaff() staff: StaffAccount,
    @Param(new ZodPipe(staffIdParam)) params: { id: number },
    @Body(new ZodPipe(changeStaffBody)) body: { role: StaffRole; stores: string[] },
  ): Promise<StaffAdminView> {
    return this.admin.change(staff, params.id, body);
  }

  @Post('staff/:id/disabled')
  @HttpCode(200)
  @Audited('staff.disable', staffFacts)
  disable(
    @CurrentStaff() staff: StaffAccount,
    @Param(new ZodPipe(staffIdParam)) params: { id: number },
    @Body(new ZodPipe(disableStaffBody)) body: { disabled: boolean },
  ): Promise<StaffAdminView> {
    return this.admin.setDisabled(staff, params.id, body.disabled);
  }

  @Get('invites')
  invites(@CurrentStaff() staff: StaffAccount): Promise<StaffInviteView[]> {
    return this.admin.invites(staff);
  }

  /** The token is in the answer once (for the QR code); the audit log records the invite's id, never the token. */
  @Post('invites')
  @HttpCode(201)
  @Audited('staff.invite.create', staffFacts)
  createInvite(
    @CurrentStaff() staff: StaffAccount,
    @Body(new ZodPipe(createInviteBody)) body: InviteRequest,
  ): Promise<StaffInviteCreatedView> {
    return this.admin.createInvite(staff, body);
  }

  @Post('invites/:id/revoke')
  @HttpCode(200)
  @Audited('staff.invite.revoke', staffFacts)
  revoke(@CurrentStaff() staff: StaffAccount, @Param(new ZodPipe(staffIdParam)) params: { id: number }): Promise<StaffInviteView> {
    return this.admin.revokeInvite(staff, params.id);
  }
}

/**
 * The invitee's side, in the mini-program: not staff yet, so behind the member sign-in (MemberAuthGuard), not
 * StaffGuard. Holding the QR code's token is what lets one see and accept the invite.
 */
@Controller('staff-invites')
@UseGuards(MemberAuthGuard)
export class StaffInviteController {
  constructor(private readonly admin: StaffAdminService) {}

  @Get(':token')
  preview(@Param(new ZodPipe(inviteTokenParam)) params: { token: string }): Promise<StaffInvitePreview> {
    return this.admin.preview(params.token);
  }

  @Post(':token/accept')
  @HttpCode(200)
  accept(
    @CurrentSession() session: SessionClaims,
    @Param(new ZodPipe(inviteTokenParam)) params: { token: string },
  ): Promise<StaffInviteAcceptedView> {
    return this.admin.accept(session, params.token);
  }
}

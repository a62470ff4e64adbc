import type {
  PurchaseRuleListResponse,
  PurchaseRuleReport,
  PurchaseRuleRequest,
  PurchaseRuleStatusRequest,
  PurchaseRuleView,
} from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { CurrentSession, StaffGuard, StaffRoles } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { Audited } from '../audit/audit.interceptor';
import { idParam } from '../common/validation';
import { ZodPipe } from '../common/zod.pipe';
import { PurchaseRuleReports } from './purchase-rule-report';
import { purchaseRuleBody, purchaseRuleStatusBody } from './purchase-rules.dto';
import { PurchaseRulesService } from './purchase-rules.service';

/** HQ marketing (admins): rules that reward a purchase, and their reports. Every call is audited (staff route). */
@Controller('admin/purchase-rules')
@UseGuards(StaffGuard)
@StaffRoles('admin')
export class PurchaseRulesController {
  constructor(
    private readonly rules: PurchaseRulesService,
    private readonly reports: PurchaseRuleReports,
  ) {}

  @Get()
  list(): Promise<PurchaseRuleListResponse> {
    return this.rules.list();
  }

  @Post()
  @Audited('purchase_rule.create')
  create(
    @CurrentSession() session: SessionClaims,
    @Body(new ZodPipe(purchaseRuleBody)) body: PurchaseRuleRequest,
  ): Promise<PurchaseRuleView> {
    return this.rules.create(body, session.openid);
  }

  @Get(':id')
  get(@Param('id', new ZodPipe(idParam)) id: number): Promise<PurchaseRuleView> {
    return this.rules.get(id);
  }

  /** Drafts only (PURCHASE_RULE_NOT_DRAFT). */
  @Put(':id')
  @Audited('purchase_rule.update')
  update(
    @Param('id', new ZodPipe(idParam)) id: number,
    @Body(new ZodPipe(purchaseRuleBody)) body: PurchaseRuleRequest,
  ): Promise<PurchaseRuleView> {
    return this.rules.update(id, body);
  }

  /** Activate, pause or end (PURCHASE_RULE_STATUS_CONFLICT from a status that does not allow it). */
  @Post(':id/status')
  @HttpCode(200)
  @Audited('purchase_rule.status')
  setStatus(
    @Param('id', new ZodPipe(idParam)) id: number,
    @Body(new ZodPipe(purchaseRuleStatusBody)) body: PurchaseRuleStatusRequest,
  ): Promise<PurchaseRuleView> {
    return this.rules.setStatus(id, body.status);
  }

  @Get(':id/report')
  report(@Param('id', new ZodPipe(idParam)) id: number): Promise<PurchaseRuleReport> {
    return this.reports.report(id);
  }
}

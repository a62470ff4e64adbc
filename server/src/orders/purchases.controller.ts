import type { PurchaseView, RecordPurchaseRequest, RefundPurchaseRequest, RefundView, TillQuote, TillQuoteRequest } from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { CurrentStaff, StaffGuard } from '../auth/auth.guards';
import { MemberCodeGate } from '../auth/member-code-gate';
import type { StaffAccount } from '../auth/staff.service';
import { MemberAccessService } from '../auth/member-access.service';
import { StoresService } from '../auth/stores.service';
import { TillTicketsService } from '../auth/till-tickets.service';
import { Audited, setAuditStore } from '../audit/audit.interceptor';
import { ZodPipe } from '../common/zod.pipe';
import { purchaseIdParam, quoteBody, recordPurchaseBody, refundBody } from './purchases.dto';
import { PurchasesService } from './purchases.service';

/**
 * The clerk at the till: record a purchase for a scanned member, look it up, refund it — at their own store
 * only: the store comes from the account (StoresService.storeFor), and a sale of another store is refused.
 */
@Controller('staff/purchases')
@UseGuards(StaffGuard)
export class StaffPurchasesController {
  constructor(
    private readonly purchases: PurchasesService,
    private readonly stores: StoresService,
    private readonly gate: MemberCodeGate,
    private readonly tickets: TillTicketsService,
    private readonly access: MemberAccessService,
  ) {}

  @Post()
  @HttpCode(200)
  @Audited('purchase.record', ({ result }) => ({
    amountFen: (result?.paidFen as number | undefined) ?? undefined,
    points: (result?.pointsEarned as number | undefined) ?? undefined,
  }))
  async record(
    @CurrentStaff() staff: StaffAccount,
    @Req() request: unknown,
    @Body(new ZodPipe(recordPurchaseBody)) body: RecordPurchaseRequest,
  ): Promise<PurchaseView> {
    if (body.tillTicket !== undefined) return this.recordWithTicket(staff, request, body, body.tillTicket);
    const storeCode = await this.stores.storeFor(staff, body.storeCode);
    setAuditStore(request, storeCode);
    // The member code is a guess until it verifies: wrong ones count towards the lockout like at verify.
    return this.gate.check(
      staff,
      body.memberCode ?? '',
      () => this.purchases.record({ ...body, storeCode }, staff.openid),
      (purchase) => purchase.memberId,
    );
  }

  /** 应付 before the clerk confirms; the member by ticket (or a fresh code: wrong ones count as at verify). */
  @Post('quote')
  @HttpCode(200)
  async quote(@CurrentStaff() staff: StaffAccount, @Body(new ZodPipe(quoteBody)) body: TillQuoteRequest): Promise<TillQuote> {
    if (body.tillTicket !== undefined) {
      const { storeCode, memberId } = await this.ticketed(staff, body, body.tillTicket);
      return this.purchases.quote({ ...body, storeCode }, memberId);
    }
    const storeCode = await this.stores.storeFor(staff, body.storeCode);
    return this.gate.check(
      staff,
      body.memberCode ?? '',
      () => this.purchases.quote({ ...body, storeCode }),
      (quote) => quote.memberId,
    );
  }

  /**
   * The member was identified when the clerk verified their code: the ticket (signed, this clerk's) names them
   * and the store it was taken at, so the sale goes through however long the form took (within the ticket).
   */
  private async recordWithTicket(
    staff: StaffAccount,
    request: unknown,
    body: RecordPurchaseRequest,
    ticket: string,
  ): Promise<PurchaseView> {
    const { storeCode, memberId } = await this.ticketed(staff, body, ticket);
    setAuditStore(request, storeCode);
    const purchase = await this.purchases.record({ ...body, storeCode }, staff.openid, memberId);
    await this.access.grant(staff, memberId);
    return purchase;
  }

  /** The store (named, else the ticket's, else the account's only one) and the member a ticket identifies there. */
  private async ticketed(staff: StaffAccount, body: TillQuoteRequest, ticket: string): Promise<{ storeCode: string; memberId: number }> {
    const identified = this.tickets.memberOf(staff, ticket, null);
    const storeCode = await this.stores.storeFor(staff, body.storeCode ?? identified.storeCode ?? undefined);
    return { storeCode, memberId: this.tickets.memberOf(staff, ticket, storeCode).memberId };
  }

  @Get(':id')
  @Audited('purchase.view')
  async get(@CurrentStaff() staff: StaffAccount, @Param('id', new ZodPipe(purchaseIdParam)) id: number): Promise<PurchaseView> {
    const purchase = await this.purchases.get(id);
    this.stores.assertWorksAt(staff, purchase.storeCode);
    return purchase;
  }

  @Post(':id/refunds')
  @HttpCode(200)
  @Audited('purchase.refund', ({ result }) => ({
    memberId: (result?.purchase as { memberId?: number } | undefined)?.memberId ?? undefined,
    storeCode: (result?.purchase as { storeCode?: string } | undefined)?.storeCode ?? undefined,
    points: (result?.pointsClawed as number | undefined) ?? undefined,
  }))
  async refund(
    @CurrentStaff() staff: StaffAccount,
    @Req() request: unknown,
    @Param('id', new ZodPipe(purchaseIdParam)) id: number,
    @Body(new ZodPipe(refundBody)) body: RefundPurchaseRequest,
  ): Promise<RefundView> {
    const purchase = await this.purchases.get(id);
    setAuditStore(request, purchase.storeCode);
    this.stores.assertWorksAt(staff, purchase.storeCode);
    return this.purchases.refund(id, body, staff.openid);
  }
}

import type { SalesPage, SalesQuery, SalesSummary } from '@member/shared';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { CurrentStaff, StaffGuard } from '../auth/auth.guards';
import type { StaffAccount } from '../auth/staff.service';
import { StoresService } from '../auth/stores.service';
import { TillTicketsService } from '../auth/till-tickets.service';
import { Audited } from '../audit/audit.interceptor';
import { ZodPipe } from '../common/zod.pipe';
import { salesQuery, salesSummaryQuery } from './sales.dto';
import { SalesService } from './sales.service';

/**
 * The till's sales history and day summary: a clerk's own stores only (one named must be theirs), HQ every store.
 * Looking up one member's sales takes the till ticket from verifying their code, never a bare member id.
 */
@Controller('staff/sales')
@UseGuards(StaffGuard)
export class StaffSalesController {
  constructor(
    private readonly sales: SalesService,
    private readonly stores: StoresService,
    private readonly tickets: TillTicketsService,
  ) {}

  @Get()
  @Audited('sales.list')
  async list(
    @CurrentStaff() staff: StaffAccount,
    @Query(new ZodPipe(salesQuery)) query: SalesQuery & { limit: number },
  ): Promise<SalesPage> {
    const stores = this.scope(staff, query.storeCode);
    const memberId =
      query.tillTicket === undefined ? undefined : this.tickets.memberOf(staff, query.tillTicket, query.storeCode ?? null).memberId;
    const purchaseId = query.receipt === undefined ? undefined : Number(query.receipt);
    return this.sales.list({ stores, memberId, purchaseId }, query);
  }

  @Get('summary')
  async summary(
    @CurrentStaff() staff: StaffAccount,
    @Query(new ZodPipe(salesSummaryQuery)) query: { date?: string; storeCode?: string },
  ): Promise<SalesSummary> {
    return this.sales.summary(this.scope(staff, query.storeCode), query.storeCode ?? null, query.date);
  }

  /** The stores this request reads: the one named (which must be the clerk's), else all the clerk's (HQ: null, all). */
  private scope(staff: StaffAccount, storeCode: string | undefined): string[] | null {
    if (storeCode === undefined) return this.stores.visibleStores(staff);
    this.stores.assertWorksAt(staff, storeCode);
    return [storeCode];
  }
}

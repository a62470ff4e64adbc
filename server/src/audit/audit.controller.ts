import type { AuditLogFilters, AuditLogPage } from '@member/shared';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { CurrentStaff, StaffGuard, StaffRoles } from '../auth/auth.guards';
import type { StaffAccount } from '../auth/staff.service';
import { ZodPipe } from '../common/zod.pipe';
import { auditQuery } from './audit.dto';
import { AuditReadService } from './audit-read.service';
import type { AuditQuery } from './audit.service';

/** HQ reads the audit log. */
@Controller('admin/audit-log')
@UseGuards(StaffGuard)
@StaffRoles('admin')
export class AuditController {
  constructor(private readonly audit: AuditReadService) {}

  @Get()
  page(@Query(new ZodPipe(auditQuery)) query: AuditQuery): Promise<AuditLogPage> {
    return this.audit.page(query);
  }
}

/** The console's audit log: HQ all of it, a store manager their stores' entries; with staff names and filters. */
@Controller('staff/audit-log')
@UseGuards(StaffGuard)
@StaffRoles('admin', 'store_manager')
export class StaffAuditController {
  constructor(private readonly audit: AuditReadService) {}

  @Get()
  page(@CurrentStaff() staff: StaffAccount, @Query(new ZodPipe(auditQuery)) query: AuditQuery): Promise<AuditLogPage> {
    return this.audit.pageFor(staff, query);
  }

  @Get('filters')
  filters(@CurrentStaff() staff: StaffAccount): Promise<AuditLogFilters> {
    return this.audit.filtersFor(staff);
  }
}

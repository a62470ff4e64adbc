import type { AuditLogPage } from '@member/shared';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { StaffGuard, StaffRoles } from '../auth/auth.guards';
import { ZodPipe } from '../common/zod.pipe';
import { auditQuery } from './audit.dto';
import { AuditService, type AuditQuery } from './audit.service';

/** HQ reads the audit log. */
@Controller('admin/audit-log')
@UseGuards(StaffGuard)
@StaffRoles('admin')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  page(@Query(new ZodPipe(auditQuery)) query: AuditQuery): Promise<AuditLogPage> {
    return this.audit.page(query);
  }
}

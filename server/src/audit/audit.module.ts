import { Global, Module } from '@nestjs/common';
import { AuditController, StaffAuditController } from './audit.controller';
import { AuditReadService } from './audit-read.service';
import { AuditService } from './audit.service';

/**
 * The staff audit log: written for every staff action by one interceptor, read by HQ (all of it) and store
 * managers (their stores' entries, AuditReadService). The interceptor is
 * attached to the staff routes by auditStaffRoutes (at start-up, from their guards), not registered globally.
 */
@Global()
@Module({
  controllers: [AuditController, StaffAuditController],
  providers: [AuditService, AuditReadService],
  exports: [AuditService],
})
export class AuditModule {}

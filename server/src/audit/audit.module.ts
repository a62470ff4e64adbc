import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

/**
 * The staff audit log: written for every staff action by one interceptor, read by admins. The interceptor is
 * attached to the staff routes by auditStaffRoutes (at start-up, from their guards), not registered globally.
 */
@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}

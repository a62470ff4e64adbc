import { Module } from '@nestjs/common';
import { MembersModule } from '../members/members.module';
import { MembershipModule } from '../membership/membership.module';
import { PointsModule } from '../points/points.module';
import { ExportsController, ImportsController } from './data-transfer.controller';
import { ExportRegistry } from './export-registry';
import { ExportService } from './export.service';
import { MemberImportService } from './member-import.service';

/**
 * Exports and member imports of the HQ console (issue 18). Owns export_run, import_job and import_row; members
 * are written through members, their opening points through the points ledger, their tiers through membership.
 * Other modules register their reports' exports with ExportRegistry (exported).
 */
@Module({
  imports: [MembersModule, PointsModule, MembershipModule],
  controllers: [ExportsController, ImportsController],
  providers: [ExportRegistry, ExportService, MemberImportService],
  exports: [ExportRegistry, MemberImportService],
})
export class DataTransferModule {}

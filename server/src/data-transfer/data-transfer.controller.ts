import { PassThrough } from 'node:stream';
import type { ExportRunView, ExportSourceView, ImportJobView, ImportRowsResponse } from '@member/shared';
import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentStaff, StaffGuard, StaffRoles } from '../auth/auth.guards';
import type { StaffAccount } from '../auth/staff.service';
import { Audited } from '../audit/audit.interceptor';
import { DomainError } from '../common/domain-error';
import { ZodPipe } from '../common/zod.pipe';
import { exportQuery, exportSourceParam, importIdParam, importRowsQuery, runKeyParam } from './data-transfer.dto';
import { ExportService, type ExportRequest } from './export.service';
import { MemberImportService } from './member-import.service';

/**
 * Exports of the console's lists and reports (issue 18): HQ and store managers (their stores only); clerks are
 * refused. Each download is audited with its source and row count.
 */
@Controller('staff/exports')
@UseGuards(StaffGuard)
@StaffRoles('admin', 'store_manager')
export class ExportsController {
  constructor(private readonly exports: ExportService) {}

  @Get()
  sources(@CurrentStaff() staff: StaffAccount): ExportSourceView[] {
    return this.exports.sources(staff);
  }

  @Get('runs/:runKey')
  run(@CurrentStaff() staff: StaffAccount, @Param('runKey', new ZodPipe(runKeyParam)) runKey: string): Promise<ExportRunView> {
    return this.exports.run(staff, runKey);
  }

  /**
   * The file, streamed: `X-Export-Run` names the run to poll and `X-Export-Rows` the rows to come. Answers when
   * the last byte is written, so the audit line says how many rows left.
   */
  @Get(':source')
  @Audited('export', ({ params }) => ({ target: (params?.source as string | undefined) ?? null }))
  async download(
    @CurrentStaff() staff: StaffAccount,
    @Param('source', new ZodPipe(exportSourceParam)) source: string,
    @Query(new ZodPipe(exportQuery)) query: ExportRequest,
    @Res() reply: FastifyReply,
  ): Promise<{ rows: number }> {
    const prepared = await this.exports.prepare(staff, source, query);
    let closed = false;
    // The client went away (closed the tab): the response closes before it finished, and the export stops.
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) closed = true;
    });
    const body = new PassThrough({ highWaterMark: 256 * 1024 });
    void reply
      .header('content-type', prepared.contentType)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(prepared.fileName)}`)
      .header('cache-control', 'no-store')
      .header('x-export-run', prepared.runKey)
      .header('x-export-rows', String(prepared.rowsTotal))
      .send(body);
    try {
      return { rows: await prepared.stream(body, () => closed) };
    } catch (error) {
      // The 200 and part of the file are gone already: abort the response, so the client sees a broken download
      // rather than a file that ends early and looks whole. The run says failed; the audit line records the error.
      body.destroy(error as Error);
      throw error;
    }
  }
}

/** Member imports (issue 18): HQ admins only. The dry run is the upload; the import is a separate, resumable step. */
@Controller('staff/imports')
@UseGuards(StaffGuard)
@StaffRoles('admin')
export class ImportsController {
  constructor(private readonly imports: MemberImportService) {}

  @Get()
  recent(): Promise<ImportJobView[]> {
    return this.imports.recentJobs();
  }

  /** Multipart field `file` (CSV or XLSX): checked row by row, nothing imported. Answers the report's first page. */
  @Post()
  @HttpCode(200)
  @Audited('import.check', ({ result }) => ({ target: ((result?.job as { id?: number } | undefined)?.id ?? null) as number | null }))
  async check(@CurrentStaff() staff: StaffAccount, @Req() request: FastifyRequest): Promise<ImportRowsResponse> {
    if (!request.isMultipart())
      throw new DomainError('VALIDATION_FAILED', [{ path: '(body)', reason: 'expected multipart/form-data with a file field' }]);
    const file = await request.file({ limits: { fileSize: this.imports.maxBytes, files: 1 } });
    if (!file || file.fieldname !== 'file')
      throw new DomainError('VALIDATION_FAILED', [{ path: 'file', reason: 'a file field is required' }]);
    const bytes = await file.toBuffer().catch((error: { code?: string }) => {
      if (error.code === 'FST_REQ_FILE_TOO_LARGE') throw new DomainError('IMPORT_FILE_TOO_LARGE');
      throw error;
    });
    return this.imports.check(staff, file.filename || 'members', bytes);
  }

  @Get(':id')
  job(@Param('id', new ZodPipe(importIdParam)) id: number): Promise<ImportJobView> {
    return this.imports.job(id);
  }

  @Get(':id/rows')
  rows(
    @Param('id', new ZodPipe(importIdParam)) id: number,
    @Query(new ZodPipe(importRowsQuery)) query: { afterRow?: number; only?: 'problems' | 'all'; limit?: number },
  ): Promise<ImportRowsResponse> {
    return this.imports.rows(id, { afterRow: query.afterRow ?? 0, problemsOnly: query.only !== 'all', limit: query.limit });
  }

  /** Starts the import, or resumes one whose worker stopped; answers at once (poll GET :id). */
  @Post(':id/start')
  @HttpCode(200)
  @Audited('import.start')
  start(@Param('id', new ZodPipe(importIdParam)) id: number): Promise<ImportJobView> {
    return this.imports.start(id);
  }
}

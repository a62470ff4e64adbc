import type { AppConfig } from '@member/config';
import type { AudienceFilter, AudiencePreviewRequest, AudiencePreviewResponse, AudienceSampleMember } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { sqlDate, supportsForceIndex } from '../database/dialect';
import {
  audienceCountSql,
  audienceQuery,
  audienceSampleSql,
  reachableCountSql,
  type AudienceQuery,
  type SqlStatement,
} from './audience-sql';
import { RfmRefreshJob } from './rfm-refresh.job';

/**
 * Audiences for marketing staff: how many joined members a filter selects and how many of them a message could
 * reach, each one COUNT statement answered from indexes (see audience-sql.ts), fast enough on a million members
 * to re-count on every change in the audience builder. Read-only and without a transaction: the counts are a
 * preview, and the campaign that sends re-selects its audience when it runs.
 */
@Injectable()
export class AudienceService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly rfm: RfmRefreshJob,
  ) {}

  /** The filter as SQL pieces over member / member_rfm: the preview counts them; issuing to an audience can reuse them by id range. */
  query(filter: AudienceFilter, now: Date = this.clock.now()): AudienceQuery {
    return audienceQuery(filter, {
      now,
      timeZone: this.config.businessCalendar.timeZone,
      date: (value) => sqlDate(this.dataSource.manager, value),
      indexHints: this.indexHints,
    });
  }

  async preview(request: AudiencePreviewRequest): Promise<AudiencePreviewResponse> {
    const query = this.query(request.filter);
    const kind = request.messageKind ?? null;
    const templateId = kind ? this.config.messages.templates[kind].templateId : null;
    const sampleSize = this.config.segments.previewSampleSize;
    // Independent reads: on MySQL they run side by side on pooled connections.
    const [size, reachable, sample, computedAt] = await Promise.all([
      this.count(audienceCountSql(query)),
      kind && templateId ? this.count(reachableCountSql(query, templateId, kind, { indexHints: this.indexHints })) : Promise.resolve(null),
      sampleSize > 0 ? this.sample(query, sampleSize) : Promise.resolve([]),
      this.rfm.computedAt(),
    ]);
    return {
      size,
      reachable,
      messageKind: kind,
      templateId,
      sample,
      usesRfmData: query.usesRfmData,
      rfmComputedAt: computedAt?.toISOString() ?? null,
    };
  }

  /** Where the database takes FORCE INDEX; SQLite (the demo database) plans its small tables well on its own. */
  private get indexHints(): boolean {
    return supportsForceIndex(this.dataSource);
  }

  private async count(statement: SqlStatement): Promise<number> {
    const [row]: Array<{ n: number | string }> = await this.dataSource.query(statement.sql, statement.params);
    return Number(row.n);
  }

  private async sample(query: AudienceQuery, limit: number): Promise<AudienceSampleMember[]> {
    const statement = audienceSampleSql(query, limit);
    const rows: Array<Omit<AudienceSampleMember, 'nicknameMasked'> & { memberId: number | string; nickname: string | null }> =
      await this.dataSource.query(statement.sql, statement.params);
    return rows.map((row) => ({
      memberId: Number(row.memberId),
      nicknameMasked: row.nickname === null ? null : maskNickname(row.nickname),
      phoneMasked: row.phoneMasked,
      tier: row.tier,
      lifecycleStatus: row.lifecycleStatus,
      rfmSegment: row.rfmSegment ?? null,
    }));
  }
}

/**
 * "张小明" → "张**", "欧阳娜娜" → "欧**": staff see that the sample is real people without reading their names off
 * the screen. Always two stars, so the mask does not tell the name's length either; a one-character name shows
 * none of it ("***"), since its first character would be the whole name.
 */
export function maskNickname(nickname: string): string {
  const characters = Array.from(nickname.trim());
  if (characters.length <= 1) return '***';
  return `${characters[0]}**`;
}

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AppConfig } from '@member/config';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { atomicFileSave } from './atomic-file-save';
import { MYSQL_COLLATION } from './dialect';
import { StaffMember } from '../auth/staff-member.entity';
import { BirthdayPerk, BirthdayPerkCheckpoint } from '../birthday/birthday.entities';
import { CouponRedemption } from '../coupons/coupon-redemption.entity';
import { CouponTemplate } from '../coupons/coupon-template.entity';
import { Coupon } from '../coupons/coupon.entity';
import { JobRun } from '../jobs/job-run.entity';
import { MemberAvatar } from '../members/member-avatar.entity';
import { Member } from '../members/member.entity';
import { Foundation1763900000000 } from './migrations/1763900000000-Foundation';
import { MemberAvatar1763900000001 } from './migrations/1763900000001-MemberAvatar';
import { Coupons1763900000002 } from './migrations/1763900000002-Coupons';
import { PointsAndPurchases1763900000003 } from './migrations/1763900000003-PointsAndPurchases';
import { BirthdayPerks1763900000004 } from './migrations/1763900000004-BirthdayPerks';
import { PointsShop1763900000006 } from './migrations/1763900000006-PointsShop';
import { MembershipReview1763900000007 } from './migrations/1763900000007-MembershipReview';
import { PointsDraw, PointsLedgerLine, PointsLot } from '../points/points.entities';
import { Purchase, PurchaseRefund } from '../orders/sale.entities';
import { Payments1763900000008 } from './migrations/1763900000008-Payments';
import { PayOrder, PayRefund } from '../orders/pay/pay-order.entity';
import { Messages1763900000009 } from './migrations/1763900000009-Messages';
import { MessageGrant, MessagePreference, OutboxMessage, SendWindow, SubscribeReport } from '../messages/message.entities';
import { Segments1763900000010 } from './migrations/1763900000010-Segments';
import { SystemCampaigns1763900000017 } from './migrations/1763900000017-SystemCampaigns';
import { RedemptionStore1763900000018 } from './migrations/1763900000018-RedemptionStore';
import { SalesByStoreDay17639000000230 } from './migrations/17639000000230-SalesByStoreDay';
import { CampaignRunChunks1763900000019 } from './migrations/1763900000019-CampaignRunChunks';
import { PayOrderPrepayAt17639000000210 } from './migrations/17639000000210-PayOrderPrepayAt';
import { TemplateTermsVersion17639000000240 } from './migrations/17639000000240-TemplateTermsVersion';
import { MemberPrice17639000000300 } from './migrations/17639000000300-MemberPrice';
import { AccountDeletion17639000000220 } from './migrations/17639000000220-AccountDeletion';
import { Feedback17639000000500 } from './migrations/17639000000500-Feedback';
import { Metrics17639000000700 } from './migrations/17639000000700-Metrics';
import {
  MemberSegmentMonth,
  MetricCampaignDay,
  MetricCohort,
  MetricCouponDay,
  MetricDay,
  MetricMessageDay,
  MetricSegmentMigration,
  MetricSnapshot,
} from '../metrics/metric.entities';
import { FeedbackCase, FeedbackMessage, FeedbackPhoto, GoodwillGrant } from '../feedback/feedback.entities';
import { MemberRfm, MemberRfmRefresh } from '../segments/member-rfm.entity';
import { Campaigns1763900000011 } from './migrations/1763900000011-Campaigns';
import { SaleIntegrity1763900000012 } from './migrations/1763900000012-SaleIntegrity';
import { Campaign, CampaignMember, CampaignRun, CampaignRunChunk } from '../campaigns/campaign.entities';
import { StaffStoresAuditThrottle1763900000013 } from './migrations/1763900000013-StaffStoresAuditThrottle';
import { ClaimedWithinStock1763900000015 } from './migrations/1763900000015-ClaimedWithinStock';
import { MemberAccessGrant, StaffStore, Store } from '../auth/store.entity';
import { AuditLog } from '../audit/audit-log.entity';
import { ThrottleCounter } from '../throttle/throttle-counter.entity';
import { PurchaseRule, PurchaseRuleGrant, PurchaseRuleGrantCoupon } from '../purchase-rules/purchase-rule.entities';
import { ConsoleLogin17639000000600 } from './migrations/17639000000600-ConsoleLogin';
import { ConsoleLoginTicket } from '../console-login/console-login-ticket.entity';
import { PurchaseRules17639000000400 } from './migrations/17639000000400-PurchaseRules';
import { DataTransfer17639000001000 } from './migrations/17639000001000-DataTransfer';
import { ExportRun, ImportJob, ImportRow } from '../data-transfer/data-transfer.entities';
import { StaffInvitesSettings17639000000800 } from './migrations/17639000000800-StaffInvitesSettings';
import { StaffInvite } from '../staff-admin/staff-invite.entity';
import { SettingVersion } from '../settings/setting-version.entity';
import { MemberSearch17639000000900 } from './migrations/17639000000900-MemberSearch';
import { ExactIdempotencyKeys17639000001100 } from './migrations/17639000001100-ExactIdempotencyKeys';
import { InviteStoresWide17639000001200 } from './migrations/17639000001200-InviteStoresWide';
import { PointsGrantedBigint17639000001300 } from './migrations/17639000001300-PointsGrantedBigint';
import { ExactStoreCodes17639000001400 } from './migrations/17639000001400-ExactStoreCodes';
import { PointsDraws17639000001500 } from './migrations/17639000001500-PointsDraws';

export const ENTITIES = [
  Member,
  MemberAvatar,
  StaffMember,
  CouponTemplate,
  Coupon,
  CouponRedemption,
  JobRun,
  Purchase,
  PurchaseRefund,
  PointsLedgerLine,
  PointsLot,
  PointsDraw,
  BirthdayPerk,
  BirthdayPerkCheckpoint,
  PayOrder,
  PayRefund,
  MessageGrant,
  SubscribeReport,
  MessagePreference,
  OutboxMessage,
  SendWindow,
  MemberRfm,
  MemberRfmRefresh,
  Campaign,
  CampaignRun,
  CampaignMember,
  CampaignRunChunk,
  Store,
  StaffStore,
  MemberAccessGrant,
  AuditLog,
  ThrottleCounter,
  PurchaseRule,
  PurchaseRuleGrant,
  PurchaseRuleGrantCoupon,
  FeedbackCase,
  FeedbackMessage,
  FeedbackPhoto,
  GoodwillGrant,
  MetricDay,
  MetricCouponDay,
  MetricMessageDay,
  MetricCampaignDay,
  MemberSegmentMonth,
  MetricSegmentMigration,
  MetricCohort,
  MetricSnapshot,
  ExportRun,
  ImportJob,
  ImportRow,
  ConsoleLoginTicket,
  StaffInvite,
  SettingVersion,
];
export const MIGRATIONS = [
  Foundation1763900000000,
  MemberAvatar1763900000001,
  Coupons1763900000002,
  PointsAndPurchases1763900000003,
  BirthdayPerks1763900000004,
  PointsShop1763900000006,
  MembershipReview1763900000007,
  Payments1763900000008,
  Messages1763900000009,
  Segments1763900000010,
  Campaigns1763900000011,
  SaleIntegrity1763900000012,
  StaffStoresAuditThrottle1763900000013,
  ClaimedWithinStock1763900000015,
  SystemCampaigns1763900000017,
  RedemptionStore1763900000018,
  CampaignRunChunks1763900000019,
  PayOrderPrepayAt17639000000210,
  AccountDeletion17639000000220,
  SalesByStoreDay17639000000230,
  TemplateTermsVersion17639000000240,
  MemberPrice17639000000300,
  PurchaseRules17639000000400,
  Feedback17639000000500,
  ConsoleLogin17639000000600,
  Metrics17639000000700,
  StaffInvitesSettings17639000000800,
  MemberSearch17639000000900,
  DataTransfer17639000001000,
  ExactIdempotencyKeys17639000001100,
  InviteStoresWide17639000001200,
  PointsGrantedBigint17639000001300,
  ExactStoreCodes17639000001400,
  PointsDraws17639000001500,
];

export type DatabaseDriver = 'mysql' | 'sqljs';

/**
 * MySQL when a DATABASE_URL is configured (the system of record); otherwise an embedded SQLite file through
 * sql.js, so a newcomer's `npm start` needs no database server. sql.js is SQLite compiled to WebAssembly: it
 * installs with no native build (better-sqlite3 must compile with node-gyp on every fresh machine) and its
 * whole-file saves are fine at demo scale. Times are UTC on both (mysql2 `timezone: 'Z'`).
 */
export function dataSourceOptions(
  database: Pick<AppConfig['database'], 'url' | 'sqlitePath' | 'poolSize'>,
  options: { sqliteInMemory?: boolean } = {},
): DataSourceOptions {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, migrationsRun: false, synchronize: false, logging: false } as const;
  if (database.url) {
    return {
      ...common,
      type: 'mysql',
      url: database.url,
      timezone: 'Z',
      charset: MYSQL_COLLATION,
      poolSize: database.poolSize,
      extra: { connectionLimit: database.poolSize, waitForConnections: true },
    };
  }
  if (options.sqliteInMemory) return { ...common, type: 'sqljs' };
  const location = resolve(database.sqlitePath);
  mkdirSync(dirname(location), { recursive: true });
  // Loaded from `location`; saved whole by rename (atomicFileSave), never written in place.
  return { ...common, type: 'sqljs', location, autoSave: true, autoSaveCallback: atomicFileSave(location), useLocalForage: false };
}

export async function openDatabase(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  if (options.type === 'mysql') await assertUtcSessions(dataSource);
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/**
 * Column defaults (CURRENT_TIMESTAMP) are computed by MySQL in its session time zone, while we read and write
 * every datetime as UTC. A server in another zone would silently shift timestamps, so refuse to start.
 */
async function assertUtcSessions(dataSource: DataSource): Promise<void> {
  const [row] = (await dataSource.query('SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) AS utc_offset_seconds')) as Array<{
    utc_offset_seconds: string | number;
  }>;
  if (Number(row.utc_offset_seconds) !== 0) {
    await dataSource.destroy();
    throw new Error(`MySQL's time zone is not UTC (offset ${row.utc_offset_seconds} s): set default_time_zone='+00:00' on the server`);
  }
}

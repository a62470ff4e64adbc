import type { MessageKind } from '@member/shared';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { MemberIdsSql } from '../members/members.repository';
import type { SystemCampaign } from './system-campaigns';

/**
 * What a run gives, the same shape for a staff campaign (read from its row) and a system campaign (a program's
 * config: birthday perks, the expiry reminder), so the campaign runner is the one engine that applies it chunk
 * by chunk. Resolved inside each chunk's transaction, so a run picks up what holds at that moment (a coupon
 * template's stock and status, a relative validity counted from the chunk's issue time).
 */
export interface CampaignPlan {
  audience: AudienceSql;
  coupon: CouponOffer | null;
  points: PointsOffer | null;
  /** Double points for the treated members' purchases through this instant (inclusive, second precision). */
  doublePointsUntil: Date | null;
  message: MessageOffer | null;
  /** A program's own record of what the chunk gave (the birthday perk ledger), written in the chunk's transaction. */
  record?(em: EntityManager, given: ChunkGiven): Promise<void>;
}

/**
 * The run's audience as SQL over `member m`: `SELECT m.id FROM ${from} WHERE ${where}`, parameters in text order
 * (those of `from` first). The runner adds the chunk's `m.id BETWEEN ? AND ?`, so the conditions must leave the
 * member id range to it (the primary key then bounds every chunk's statement).
 */
export interface AudienceSql {
  from: string;
  where: string;
  params: unknown[];
}

/** One coupon per treated member, as long as stock lasts (first members by id when it runs short). */
export interface CouponOffer {
  templateId: number;
  /** The template's name, for messages. */
  name: string;
  validFrom: Date;
  validUntil: Date;
  /** With the member, unique on coupon: what makes the coupon once per run (campaign) or per year (birthday). */
  idempotencyKey: string;
  /** The claim sequence: above any per-member claim limit, so it never takes a claim's place. */
  seq: number;
}

export interface PointsOffer {
  points: number;
  /** The ledger line's unique source key: what makes a member's grant once per run. */
  sourceKey(memberId: number): string;
}

/** A member a message can reach now, with what a message shows of them. */
export interface ReachableMember {
  id: number;
  nickname: string | null;
}

/** The message step: writes the chunk's messages into the outbox for the treated members it can reach. */
export interface MessageOffer {
  kind: MessageKind;
  /** Answers how many messages it queued (an outbox key already there queues nothing). */
  queue(em: EntityManager, reachable: ReachableMember[], gotCoupon: (memberId: number) => boolean): Promise<number>;
}

/**
 * The treated members of a chunk, as SQL over the run's campaign_member rows, once its coupons are in (a coupon
 * with the run's key or seq is the one the chunk just gave; the first members by id got one when stock ran short).
 */
export interface ChunkGiven {
  treated: MemberIdsSql;
}

/** A system campaign's run as its program sees it. */
export interface SystemRunContext {
  campaignId: number;
  runId: number;
  /** The run's business date (its period). */
  period: string;
  /** When the run started: relative criteria count from it. */
  asOf: Date;
  /** The chunk's issue time. */
  now: Date;
}

/**
 * A campaign the system runs itself, defined by the module that owns its rules (birthday perks by birthday,
 * the expiry reminder by campaigns): the plan of a day's run from config. Throws when config is wrong, before
 * anything of the run is given.
 */
export interface SystemCampaignProgram {
  readonly key: SystemCampaign;
  plan(em: EntityManager, run: SystemRunContext): Promise<CampaignPlan>;
  /** The coupon a run of `period` gives (its template and seq), for the campaign's page and run report; none when absent. */
  reportedCoupon?(period: string): ReportedCoupon | null;
}

/** Which coupons are a run's: its template and the claim sequence the run issues them with. */
export interface ReportedCoupon {
  templateId: number;
  seq: number;
}

/**
 * The programs of the system campaigns, registered by their modules at start-up (so campaigns never imports
 * birthday: the dependency goes the other way).
 */
@Injectable()
export class SystemCampaignPrograms {
  private readonly programs = new Map<string, SystemCampaignProgram>();

  register(program: SystemCampaignProgram): void {
    const known = this.programs.get(program.key);
    if (known && known !== program) throw new Error(`system campaign ${program.key} has two programs`);
    this.programs.set(program.key, program);
  }

  get(key: string): SystemCampaignProgram | null {
    return this.programs.get(key) ?? null;
  }
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/bigint';

/** A rate-limit window for one key (a hashed route + user or IP), shared by every server instance. */
@Entity('throttle_counter')
export class ThrottleCounter {
  @PrimaryColumn({ name: 'throttle_key', type: 'varchar', length: 128 })
  key!: string;

  @Column({ type: 'int' })
  hits!: number;

  @Column({ name: 'window_ends_ms', type: 'bigint', transformer: bigintAsNumber })
  windowEndsMs!: number;

  /** 0 when not blocked. */
  @Column({ name: 'blocked_until_ms', type: 'bigint', default: 0, transformer: bigintAsNumber })
  blockedUntilMs!: number;
}

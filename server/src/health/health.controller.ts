import type { AppConfig } from '@member/config';
import type { Brand, HealthResponse, PublicConfig } from '@member/shared';
import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { isMysql } from '../database/dialect';

/** The brand as the app shows it: config is validated at boot, so this is built once. */
export function brandOf(config: AppConfig): Brand {
  const { logoSvg, ...brand } = config.brand;
  return { name: config.appName, ...brand, logo: `data:image/svg+xml;base64,${Buffer.from(logoSvg).toString('base64')}` };
}

@Controller()
export class HealthController {
  private readonly brand: Brand;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    this.brand = brandOf(config);
  }

  /** For load balancers: 200 when the database answers, 503 when it does not. */
  @Get('health')
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthResponse> {
    let database: HealthResponse['database'] = 'up';
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      database = 'down';
      reply.status(503);
    }
    return {
      status: database === 'up' ? 'ok' : 'degraded',
      database,
      driver: isMysql(this.dataSource) ? 'mysql' : 'sqljs',
      time: this.clock.now().toISOString(),
    };
  }

  /** What the mini-program needs before login. */
  @Get('public-config')
  publicConfig(): PublicConfig {
    return {
      appName: this.config.appName,
      privacyPolicyVersion: this.config.privacy.policyVersion,
      memberCodePeriodSeconds: this.config.memberCode.periodSeconds,
      emulatorBaseUrl: this.config.demo.emulatorPublicUrl,
      payEnabled: this.config.wechatPay !== null,
      payMaxOrderFen: this.config.payment.maxOrderFen,
      couponExpiringSoonDays: this.config.coupons.expiringSoonDays,
      stores: this.config.stores,
      brand: this.brand,
    };
  }
}

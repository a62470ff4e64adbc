import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyMultipart from '@fastify/multipart';
import { API_PREFIX } from '@member/shared';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { StaffService } from './auth/staff.service';
import { StoresService } from './auth/stores.service';
import { registerHttpHardening } from './common/http-hardening';
import { httpLoggerOptions, PinoNestLogger } from './common/logging';
import { requestId, type CoreOptions } from './core.module';

/**
 * Builds the HTTP application (Fastify: about twice Express's throughput for the same work, measured for this project),
 * without listening, so tests can boot exactly what production runs.
 */
export async function createApp(options: CoreOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: true,
    bodyLimit: 64 * 1024,
    requestIdHeader: false,
    genReqId: requestId,
    logger: httpLoggerOptions(options.config.server.logLevel, options.logSink),
  });
  adapter.getInstance().addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    bufferLogs: true,
    // WeChat Pay notifications are verified against their exact bytes.
    rawBody: true,
  });
  app.useLogger(new PinoNestLogger(adapter.getInstance().log));
  app.setGlobalPrefix(API_PREFIX.slice(1));
  // Multipart only for the avatar upload; the route sets its own size limit from config.
  await app.register(fastifyMultipart, { limits: { files: 1, fields: 4, fileSize: options.config.avatar.maxBytes } });
  await registerHttpHardening(app, options.config);
  app.enableShutdownHooks();

  const h5 = options.config.server.h5StaticDir;
  if (h5) {
    const root = resolve(h5);
    if (!existsSync(resolve(root, 'index.html'))) throw new Error(`H5_STATIC_DIR ${root} has no index.html: build the mini-program first`);
    // One route per file (no wildcard), so unknown /api paths still answer our JSON 404.
    app.useStaticAssets({ root, prefix: '/', wildcard: false });
  }

  // Stores first: staff accounts refer to them.
  await app.get(StoresService).syncFromConfig(options.config.stores);
  await app.get(StaffService).syncFromConfig(options.config.staff);
  return app;
}

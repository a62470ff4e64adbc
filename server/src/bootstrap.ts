import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyMultipart from '@fastify/multipart';
import { API_PREFIX } from '@member/shared';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { auditStaffRoutes } from './audit/audit-routes';
import { StaffService } from './auth/staff.service';
import { StoresService } from './auth/stores.service';
import { registerHttpHardening } from './common/http-hardening';
import { httpLoggerOptions, PinoNestLogger, requestChildLoggers } from './common/logging';
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
    childLoggerFactory: requestChildLoggers(),
  });
  // Set as the request arrives, so every answer carries it, errors included. A callback hook: an async onSend
  // hook was a promise per response, which showed in the flash-claim profile.
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  const root = AppModule.forRoot(options);
  // Before Nest scans the modules: the audit goes onto the staff routes only.
  auditStaffRoutes(root);
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
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
  const consoleDir = options.config.server.consoleStaticDir;
  if (consoleDir) {
    const root = resolve(consoleDir);
    if (!existsSync(resolve(root, 'index.html')))
      throw new Error(`CONSOLE_STATIC_DIR ${root} has no index.html: build the console first (npm run build)`);
    // The desktop console (HQ and store managers) beside the H5 app; hash routing, so /console/ is its one page.
    // decorateReply: false because the H5 registration above already decorated fastify's reply.
    app.useStaticAssets({ root, prefix: '/console/', wildcard: false, decorateReply: !h5 });
    app
      .getHttpAdapter()
      .getInstance()
      .get('/console', (_request, reply) => reply.redirect('/console/', 302));
  }

  // Stores first: staff accounts refer to them.
  await app.get(StoresService).syncFromConfig(options.config.stores);
  await app.get(StaffService).syncFromConfig(options.config.staff);
  return app;
}

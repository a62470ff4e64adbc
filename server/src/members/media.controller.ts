import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ZodPipe } from '../common/zod.pipe';
import { AvatarService } from './avatar.service';

const sha256Param = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');

/** Uploaded avatars, addressed by content hash: public like a CDN URL, cacheable forever. */
@Controller('media')
export class MediaController {
  constructor(private readonly avatars: AvatarService) {}

  @Get('avatars/:sha256')
  async avatar(@Param('sha256', new ZodPipe(sha256Param)) sha256: string, @Res() reply: FastifyReply): Promise<void> {
    const avatar = await this.avatars.findAvatar(sha256);
    await reply
      .header('content-type', avatar.contentType)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(avatar.bytes);
  }
}

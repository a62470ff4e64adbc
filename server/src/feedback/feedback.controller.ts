import type {
  CreateFeedbackRequest,
  FeedbackCaseView,
  FeedbackListResponse,
  FeedbackMessageRequest,
  FeedbackOptions,
  FeedbackPhotoUploaded,
  RateFeedbackRequest,
} from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CurrentSession, MemberAuthGuard } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { DomainError } from '../common/domain-error';
import { ZodPipe } from '../common/zod.pipe';
import { caseIdParam, createFeedbackBody, messageBody, rateBody } from './feedback.dto';
import { FeedbackService } from './feedback.service';

/** 意见反馈 from 我的: the member's own cases only (there is no route that takes a member id). */
@Controller('feedback')
@UseGuards(MemberAuthGuard)
export class FeedbackController {
  constructor(private readonly feedback: FeedbackService) {}

  @Get('options')
  options(): FeedbackOptions {
    return this.feedback.options();
  }

  @Get()
  list(@CurrentSession() session: SessionClaims): Promise<FeedbackListResponse> {
    return this.feedback.list(session.memberId);
  }

  @Post()
  @HttpCode(200)
  create(
    @CurrentSession() session: SessionClaims,
    @Body(new ZodPipe(createFeedbackBody)) body: CreateFeedbackRequest,
  ): Promise<FeedbackCaseView> {
    return this.feedback.create(session.memberId, body);
  }

  /** A photo for the case about to be raised: multipart field `file` (wx.uploadFile, or a form in H5). */
  @Post('photos')
  @HttpCode(200)
  async photo(@CurrentSession() session: SessionClaims, @Req() request: FastifyRequest): Promise<FeedbackPhotoUploaded> {
    if (!request.isMultipart())
      throw new DomainError('VALIDATION_FAILED', [{ path: '(body)', reason: 'expected multipart/form-data with a file field' }]);
    const maxBytes = this.feedback.options().photoMaxBytes;
    const file = await request.file({ limits: { fileSize: maxBytes, files: 1 } });
    if (!file || file.fieldname !== 'file')
      throw new DomainError('VALIDATION_FAILED', [{ path: 'file', reason: 'a file field is required' }]);
    const bytes = await file.toBuffer().catch((error: { code?: string }) => {
      if (error.code === 'FST_REQ_FILE_TOO_LARGE') throw new DomainError('FEEDBACK_PHOTO_TOO_LARGE');
      throw error;
    });
    return this.feedback.uploadPhoto(session.memberId, bytes);
  }

  @Get(':id')
  get(@CurrentSession() session: SessionClaims, @Param('id', new ZodPipe(caseIdParam)) id: number): Promise<FeedbackCaseView> {
    return this.feedback.get(session.memberId, id);
  }

  @Post(':id/messages')
  @HttpCode(200)
  message(
    @CurrentSession() session: SessionClaims,
    @Param('id', new ZodPipe(caseIdParam)) id: number,
    @Body(new ZodPipe(messageBody)) body: FeedbackMessageRequest,
  ): Promise<FeedbackCaseView> {
    return this.feedback.addMessage(session.memberId, id, body.body, body.idempotencyKey);
  }

  @Post(':id/rating')
  @HttpCode(200)
  rate(
    @CurrentSession() session: SessionClaims,
    @Param('id', new ZodPipe(caseIdParam)) id: number,
    @Body(new ZodPipe(rateBody)) body: RateFeedbackRequest,
  ): Promise<FeedbackCaseView> {
    return this.feedback.rate(session.memberId, id, body);
  }
}

const sha256Param = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');

/** Photos attached to cases, addressed by content hash (like avatars): an image tag cannot send a token. */
@Controller('media/feedback')
export class FeedbackMediaController {
  constructor(private readonly feedback: FeedbackService) {}

  @Get(':sha256')
  async photo(@Param('sha256', new ZodPipe(sha256Param)) sha256: string, @Res() reply: FastifyReply): Promise<void> {
    const photo = await this.feedback.findPhoto(sha256);
    await reply
      .header('content-type', photo.contentType)
      .header('cache-control', 'private, max-age=86400')
      .header('x-content-type-options', 'nosniff')
      .send(photo.bytes);
  }
}

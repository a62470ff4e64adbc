import type { MessageKind, MessagePreferencesResponse, ReportSubscriptionsRequest, UpdateMessagePreferenceRequest } from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { CurrentSession, MemberAuthGuard } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { ZodPipe } from '../common/zod.pipe';
import { kindParam, preferenceBody, reportBody } from './messages.dto';
import { MessagesService } from './messages.service';

/** The member's subscription messages: what `requestSubscribeMessage` answered, and their switches. */
@Controller('messages')
@UseGuards(MemberAuthGuard)
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get('preferences')
  preferences(@CurrentSession() session: SessionClaims): Promise<MessagePreferencesResponse> {
    return this.messages.preferences(session.memberId);
  }

  @Post('subscriptions')
  @HttpCode(200)
  report(
    @CurrentSession() session: SessionClaims,
    @Body(new ZodPipe(reportBody)) body: ReportSubscriptionsRequest,
  ): Promise<MessagePreferencesResponse> {
    return this.messages.report(session.memberId, body);
  }

  @Put('preferences/:kind')
  setEnabled(
    @CurrentSession() session: SessionClaims,
    @Param('kind', new ZodPipe(kindParam)) kind: MessageKind,
    @Body(new ZodPipe(preferenceBody)) body: UpdateMessagePreferenceRequest,
  ): Promise<MessagePreferencesResponse> {
    return this.messages.setEnabled(session.memberId, kind, body.enabled);
  }
}

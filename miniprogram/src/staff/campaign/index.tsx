import { useCallback, useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import type { CampaignRunView, CampaignView } from '@member/shared';
import { changeCampaign, getCampaign, messageOf, previewAudience, type CampaignAction } from '../../api';
import CampaignDraftPanel from '../../components/CampaignDraftPanel';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { usePageVisible } from '../../hooks/usePageVisible';
import { describeAudience, MESSAGE_KIND_TITLES, reachShare } from '../../utils/audience';
import {
  CAMPAIGN_STATUS_NAMES,
  failedLines,
  groupText,
  holdoutText,
  liftText,
  offerSummary,
  reportIsMoving,
  RUN_STATUS_NAMES,
  runPeriodText,
  runsNewestFirst,
  scheduleText,
  skippedLines,
  sumOf,
} from '../../utils/campaigns';
import { businessDateTime } from '../../utils/dates';
import './index.scss';

/** Fast while a run is fresh (issuing takes seconds, messages follow), then gently: quiet hours can hold them for hours. */
const FAST_POLL_MS = 1500;
const SLOW_POLL_MS = 10_000;
const FAST_POLLS = 40;

function idFromRoute(): number {
  const id = Number(Taro.getCurrentInstance().router?.params?.id ?? '');
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}

/**
 * One campaign (admins): its settings, 发布 / 暂停 / 恢复, and the report of each run: who was targeted and held
 * out, what was issued, what happened to each message (sent, skipped and why, failed with WeChat's code), and
 * later the coupons redeemed and the revenue per member of the treated group against the holdout. The page
 * follows a run while it moves.
 */
export default function CampaignPage() {
  const id = useRef(idFromRoute()).current;
  const fetchCampaign = useCallback(() => getCampaign(id), [id]);
  const { state, reload, update } = useLoader<CampaignView>(fetchCampaign, {
    blockedBy: ['FORBIDDEN', 'CAMPAIGN_NOT_FOUND', 'NOT_FOUND'],
    toastQuietFailures: false,
  });
  const [busy, setBusy] = useState<CampaignAction | null>(null);
  const visible = usePageVisible();
  const polls = useRef(0);

  const campaign = state.kind === 'ready' ? state.data : null;
  const moving = campaign ? reportIsMoving(campaign, Date.now()) : false;

  useEffect(() => {
    if (!moving || !visible) return undefined;
    const timer = setTimeout(
      () => {
        polls.current += 1;
        void reload(true);
      },
      polls.current < FAST_POLLS ? FAST_POLL_MS : SLOW_POLL_MS,
    );
    return () => clearTimeout(timer);
  }, [moving, visible, campaign, reload]);

  const act = async (action: CampaignAction) => {
    if (!campaign || busy) return;
    if (action === 'launch') {
      if (!(await confirmLaunch(campaign))) return;
    } else if (action === 'pause') {
      const answer = await Taro.showModal({
        title: '暂停活动',
        content: '暂停后不再产生新的发放；正在进行的发放会在当前批次后停止。',
        confirmText: '暂停',
        cancelText: '取消',
      });
      if (!answer.confirm) return;
    }
    setBusy(action);
    try {
      const updated = await changeCampaign(campaign.id, action);
      polls.current = 0;
      update(() => updated);
      void Taro.showToast({ title: action === 'launch' ? '活动已发布' : action === 'pause' ? '活动已暂停' : '活动已恢复', icon: 'none' });
    } catch (error) {
      void Taro.showToast({ title: messageOf(error), icon: 'none' });
      void reload(true);
    } finally {
      setBusy(null);
    }
  };

  if (state.kind === 'loading') {
    return (
      <View className='page campaign-page'>
        <StateView status='loading' idPrefix='campaign-page' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page campaign-page'>
        <StateView status='error' idPrefix='campaign-page' message={state.message} onRetry={() => void reload(false)} />
      </View>
    );
  }
  if (state.kind === 'blocked') {
    return (
      <View className='page campaign-page'>
        <StateView
          status='empty'
          idPrefix='campaign-page'
          title={state.code === 'FORBIDDEN' ? '仅限管理员使用' : '未找到该活动'}
          message={state.code === 'FORBIDDEN' ? '营销活动需要管理员权限' : '活动可能已被删除'}
          retryText='返回活动列表'
          onRetry={() => void Taro.redirectTo({ url: '/staff/campaigns/index' })}
        />
      </View>
    );
  }

  const view = state.data;
  const runs = runsNewestFirst(view.runs);
  return (
    <View className='page campaign-page'>
      <View className='campaign-hero'>
        <View className='campaign-hero__head'>
          <Text id='campaign-title' className='campaign-hero__name'>
            {view.name}
          </Text>
          <Text id='campaign-status' className={`campaign-status campaign-status--${view.status}`}>
            {CAMPAIGN_STATUS_NAMES[view.status] ?? view.status}
          </Text>
        </View>
        <Text className='campaign-hero__meta'>{scheduleText(view)}</Text>
      </View>

      <View id='campaign-settings' className='section'>
        <Text className='section-title'>活动设置</Text>
        <Line label='目标人群' value={describeAudience(view.filter).join('\n')} id='campaign-audience' />
        <Line label='优惠' value={offerSummary(view)} id='campaign-offer-summary' />
        <Line
          label='消息'
          value={
            view.messageKind
              ? `${MESSAGE_KIND_TITLES[view.messageKind] ?? view.messageKind}${view.offerText ? `（${view.offerText}）` : ''}`
              : '不发消息'
          }
          id='campaign-message'
        />
        <Line label='发送时间' value={scheduleText(view)} />
        <Line
          label='对照组'
          value={view.holdoutPermille > 0 ? `随机留出 ${holdoutText(view.holdoutPermille)}` : '不设对照组'}
          id='campaign-holdout-text'
        />
        <Line label='创建时间' value={businessDateTime(view.createdAt)} />
        {view.launchedAt ? <Line label='发布时间' value={businessDateTime(view.launchedAt)} /> : null}
      </View>

      <CampaignDraftPanel campaign={view} busy={busy !== null}>
        {view.status === 'draft' ? (
          <ActionButton
            id='campaign-launch'
            className='primary-button campaign-page__action'
            loading={busy === 'launch'}
            disabled={busy !== null || undefined}
            onClick={() => void act('launch')}
          >
            发布活动
          </ActionButton>
        ) : null}
        {view.status === 'active' ? (
          <ActionButton
            id='campaign-pause'
            className='ghost-button campaign-page__action'
            loading={busy === 'pause'}
            disabled={busy !== null || undefined}
            onClick={() => void act('pause')}
          >
            暂停活动
          </ActionButton>
        ) : null}
        {view.status === 'paused' ? (
          <ActionButton
            id='campaign-resume'
            className='primary-button campaign-page__action'
            loading={busy === 'resume'}
            disabled={busy !== null || undefined}
            onClick={() => void act('resume')}
          >
            恢复活动
          </ActionButton>
        ) : null}
      </CampaignDraftPanel>

      <View id='campaign-runs' className='campaign-page__runs'>
        <Text className='campaign-page__runs-title'>执行报告</Text>
        {runs.length === 0 ? (
          <Text id='campaign-runs-empty' className='campaign-page__empty'>
            {view.status === 'draft' ? '发布后在这里查看发放和消息结果' : moving ? '正在开始发放…' : '还没有执行记录'}
          </Text>
        ) : (
          runs.map((run) => <RunReport key={run.id} run={run} />)
        )}
        {moving ? (
          <Text id='campaign-following' className='campaign-page__following'>
            正在自动刷新…
          </Text>
        ) : null}
      </View>
    </View>
  );
}

/** Asks the audience size and reach now, and has the admin confirm with those numbers in front of them. */
async function confirmLaunch(campaign: CampaignView): Promise<boolean> {
  let numbers: string;
  try {
    void Taro.showLoading({ title: '正在计算人数' });
    const preview = await previewAudience({
      filter: campaign.filter,
      ...(campaign.messageKind ? { messageKind: campaign.messageKind } : {}),
    });
    numbers =
      `目标人群 ${preview.size} 人` +
      (campaign.messageKind && preview.reachable !== null
        ? `，其中 ${preview.reachable} 人可收到「${MESSAGE_KIND_TITLES[campaign.messageKind]}」（${reachShare(preview.size, preview.reachable)}）`
        : '') +
      '。';
  } catch (error) {
    numbers = `暂时无法计算人数（${messageOf(error)}）。`;
  } finally {
    void Taro.hideLoading();
  }
  const holdout = campaign.holdoutPermille > 0 ? `随机留出 ${holdoutText(campaign.holdoutPermille)} 作为对照组，不发放。` : '';
  const when =
    campaign.schedule === 'now'
      ? '发布后立即发放，不可撤回。'
      : campaign.schedule === 'at'
        ? '到设定时间自动发放。'
        : '发布后每天自动执行。';
  // Launching makes its coupon live: the template's terms freeze from then on (TemplatesService on the server).
  const frozen = campaign.couponTemplateName ? `发布后「${campaign.couponTemplateName}」的券面条款不能再修改。` : '';
  const answer = await Taro.showModal({
    title: '发布活动',
    content: `${numbers}${holdout}${when}${frozen}`,
    confirmText: '发布',
    cancelText: '再想想',
  });
  return answer.confirm;
}

function RunReport({ run }: { run: CampaignRunView }) {
  const prefix = `campaign-run-${run.id}`;
  const skipped = skippedLines(run);
  const failed = failedLines(run);
  return (
    <View id={prefix} className='run-report'>
      <View className='run-report__head'>
        <Text className='run-report__period'>{runPeriodText(run)}</Text>
        <Text id={`${prefix}-status`} className={`run-report__status run-report__status--${run.status}`}>
          {RUN_STATUS_NAMES[run.status] ?? run.status}
        </Text>
      </View>
      <Text className='run-report__time'>
        开始 {businessDateTime(run.startedAt)}
        {run.finishedAt ? ` · 完成 ${businessDateTime(run.finishedAt)}` : ''}
      </Text>

      <View className='run-report__grid'>
        <Stat id={`${prefix}-targeted`} label='目标人数' value={run.targeted} />
        <Stat id={`${prefix}-held-out`} label='对照组' value={run.heldOut} />
        <Stat id={`${prefix}-coupons`} label='发券' value={run.couponsIssued} />
        <Stat id={`${prefix}-points`} label='发放积分' value={run.pointsGranted} />
      </View>
      {run.couponsShort > 0 ? (
        <Text id={`${prefix}-coupons-short`} className='run-report__warn'>
          库存不足或券已暂停，少发 {run.couponsShort} 张
        </Text>
      ) : null}

      <Text className='run-report__section'>消息</Text>
      <Count id={`${prefix}-sent`} label='已送达' value={run.messages.sent} />
      <Count
        id={`${prefix}-queued`}
        label='排队中'
        value={run.messages.queued}
        hint={run.messages.queued > 0 ? '免打扰时段的消息会在 09:00 后发送' : undefined}
      />
      <Count id={`${prefix}-skipped`} label='未发送' value={sumOf(run.messages.skipped)} />
      {skipped.map((line) => (
        <Count key={line.key} id={`${prefix}-skipped-${line.key}`} label={line.label} value={line.count} indent />
      ))}
      <Count id={`${prefix}-failed`} label='发送失败' value={sumOf(run.messages.failed)} />
      {failed.map((line) => (
        <Count key={line.key} id={`${prefix}-failed-${line.key}`} label={line.label} value={line.count} indent />
      ))}

      <Text className='run-report__section'>效果</Text>
      <Count
        id={`${prefix}-redeemed`}
        label='已核销券'
        value={run.couponsRedeemed}
        hint={run.couponsIssued > 0 ? `核销率 ${reachShare(run.couponsIssued, run.couponsRedeemed)}` : undefined}
      />
      <Line id={`${prefix}-treatment`} label='活动组' value={groupText(run.treatment)} />
      <Line id={`${prefix}-holdout`} label='对照组' value={run.holdout.members > 0 ? groupText(run.holdout) : '未设对照组'} />
      <Line id={`${prefix}-lift`} label='人均消费增量' value={liftText(run)} strong={run.holdout.members > 0} />
    </View>
  );
}

function Stat({ id, label, value }: { id: string; label: string; value: number }) {
  return (
    <View className='run-report__cell'>
      <Text id={id} className='run-report__value'>
        {value}
      </Text>
      <Text className='run-report__label'>{label}</Text>
    </View>
  );
}

function Count({ id, label, value, hint, indent = false }: { id: string; label: string; value: number; hint?: string; indent?: boolean }) {
  return (
    <View className={`run-count${indent ? ' run-count--indent' : ''}`}>
      <Text className='run-count__label'>
        {label}
        {hint ? <Text className='run-count__hint'> · {hint}</Text> : null}
      </Text>
      <Text id={id} className='run-count__value'>
        {value}
      </Text>
    </View>
  );
}

function Line({ id, label, value, strong = false }: { id?: string; label: string; value: string; strong?: boolean }) {
  return (
    <View className='campaign-line'>
      <Text className='campaign-line__key'>{label}</Text>
      <Text id={id} className={`campaign-line__value${strong ? ' campaign-line__value--strong' : ''}`}>
        {value}
      </Text>
    </View>
  );
}

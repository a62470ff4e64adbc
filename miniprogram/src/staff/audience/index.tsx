import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import type { MessageKind, SegmentsRefreshResponse } from '@member/shared';
import { getSegmentsOverview, isApiError, messageOf, refreshSegments } from '../../api';
import AudienceFilter from '../../components/AudienceFilter';
import AudiencePreview from '../../components/AudiencePreview';
import ChoiceChips from '../../components/ChoiceChips';
import StateView from '../../components/StateView';
import { useAudiencePreview } from '../../hooks/useAudiencePreview';
import { emptyAudienceForm, MESSAGE_KIND_OPTIONS, readAudienceForm, type AudienceForm } from '../../utils/audience';
import './index.scss';

/**
 * The audience builder (客户分层, admins): pick who, and which message, and see at once how many members that
 * is, how many the message could actually reach (WeChat allows one message per accept), and a few of them,
 * masked. "用此人群创建活动" carries the audience into a new campaign.
 */
export default function AudiencePage() {
  const [form, setForm] = useState<AudienceForm>(emptyAudienceForm);
  const [messageKind, setMessageKind] = useState<MessageKind | null>(null);
  const [lastRefresh, setLastRefresh] = useState<SegmentsRefreshResponse | null>(null);
  // Until the overview answers, the page does not know whether segments were ever refreshed: it must not say 首次使用.
  const [overviewRead, setOverviewRead] = useState<'reading' | 'read' | 'failed'>('reading');
  const [overviewForbidden, setOverviewForbidden] = useState(false);
  const [refreshing, setRefreshing] = useState(false);

  const reading = readAudienceForm(form);
  const preview = useAudiencePreview(reading.ok ? reading.filter : null, messageKind);

  useEffect(() => {
    getSegmentsOverview().then(
      (overview) => {
        setLastRefresh(overview.lastRefresh);
        setOverviewRead('read');
      },
      (error: unknown) => {
        setOverviewForbidden(isApiError(error) && error.code === 'FORBIDDEN');
        setOverviewRead('failed');
      },
    );
  }, []);

  const refresh = async () => {
    setRefreshing(true);
    try {
      const result = await refreshSegments();
      setLastRefresh(result);
      setOverviewRead('read');
      preview.refresh();
      void Taro.showToast({ title: `分层已更新：${result.members} 位会员`, icon: 'none' });
    } catch (error) {
      void Taro.showToast({ title: messageOf(error), icon: 'none' });
    } finally {
      setRefreshing(false);
    }
  };

  const createCampaign = () => {
    if (!reading.ok) return void Taro.showToast({ title: '请先修改标红的条件', icon: 'none' });
    const query = [`filter=${encodeURIComponent(JSON.stringify(reading.filter))}`, ...(messageKind ? [`message=${messageKind}`] : [])].join(
      '&',
    );
    void Taro.navigateTo({ url: `/staff/campaign-edit/index?${query}` });
  };

  if (overviewForbidden || preview.forbidden) {
    return (
      <View className='page audience-page'>
        <StateView status='empty' idPrefix='audience-page' title='仅限管理员使用' message='客户分层和营销活动需要管理员权限' />
      </View>
    );
  }

  return (
    <View className='page audience-page'>
      <View className='section audience-page__preview'>
        <Text className='section-title'>人群预览</Text>
        <AudiencePreview preview={preview} messageKind={messageKind} detailed invalid={!reading.ok}>
          <View className='audience-page__rfm'>
            <Text id='audience-rfm-summary' className='audience-page__rfm-text'>
              {lastRefresh
                ? rfmSummary(lastRefresh)
                : overviewRead === 'reading'
                  ? '正在读取上次分层…'
                  : overviewRead === 'failed'
                    ? '上次分层未能读取，可点「刷新分层数据」'
                    : '首次使用请先刷新分层数据'}
            </Text>
            <ActionButton
              id='audience-refresh'
              className='audience-page__refresh'
              loading={refreshing}
              disabled={refreshing || undefined}
              onClick={() => void refresh()}
            >
              刷新分层数据
            </ActionButton>
          </View>
        </AudiencePreview>
      </View>

      <View className='section'>
        <Text className='section-title'>发送的消息</Text>
        <ChoiceChips
          idPrefix='audience-message'
          options={MESSAGE_KIND_OPTIONS}
          selected={messageKind ? [messageKind] : []}
          onSelect={(kind: MessageKind) => setMessageKind((current) => (current === kind ? null : kind))}
        />
        <Text className='audience-page__hint'>选择消息后可看到有多少会员能收到：会员在小程序里允许过该消息、且没有关闭它。</Text>
      </View>

      <View className='section'>
        <Text className='section-title'>筛选条件</Text>
        <AudienceFilter
          form={form}
          onChange={setForm}
          errors={reading.ok ? {} : reading.errors}
          segmentCounts={lastRefresh?.segments ?? null}
        />
      </View>

      <ActionButton id='audience-create-campaign' className='primary-button audience-page__create' onClick={createCampaign}>
        用此人群创建活动
      </ActionButton>
    </View>
  );
}

/** What the last refresh found; says so when too few members bought to rank them (they are 待分层 until then). */
function rfmSummary(refresh: SegmentsRefreshResponse): string {
  const found = `上次分层共 ${refresh.members} 位会员，其中 ${refresh.scoredMembers} 位近${refresh.windowMonths}个月有消费`;
  // Older summaries (before the minimum existed) carry no minimum: they were ranked.
  const ranked = refresh.thresholds !== null || refresh.scoredMembers === 0 || !refresh.minimumScoredMembers;
  return ranked ? found : `${found}；满 ${refresh.minimumScoredMembers} 位才分层，暂列为“待分层”`;
}

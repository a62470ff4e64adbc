import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import type { CampaignView } from '@member/shared';
import { listCampaigns } from '../../api';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { MESSAGE_KIND_TITLES } from '../../utils/audience';
import { CAMPAIGN_STATUS_NAMES, lastRunText, offerSummary, scheduleText } from '../../utils/campaigns';
import './index.scss';

/** The campaigns (营销活动, admins), newest first as the server lists them; back from one, the list reloads. */
export default function CampaignsPage() {
  const { state, reload } = useLoader(listCampaigns, { blockedBy: ['FORBIDDEN'] });

  if (state.kind === 'loading') {
    return (
      <View className='page campaigns-page'>
        <StateView status='loading' idPrefix='campaigns-page' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page campaigns-page'>
        <StateView status='error' idPrefix='campaigns-page' message={state.message} onRetry={() => void reload(false)} />
      </View>
    );
  }
  if (state.kind === 'blocked') {
    return (
      <View className='page campaigns-page'>
        <StateView status='empty' idPrefix='campaigns-page' title='仅限管理员使用' message='营销活动需要管理员权限' />
      </View>
    );
  }

  return (
    <View className='page campaigns-page'>
      <ActionButton
        id='campaign-new'
        className='primary-button'
        onClick={() => void Taro.navigateTo({ url: '/staff/campaign-edit/index' })}
      >
        新建活动
      </ActionButton>
      {state.data.campaigns.length === 0 ? (
        <StateView status='empty' idPrefix='campaigns-page' title='还没有活动' message='选好人群、优惠和消息，就能发起第一次活动' />
      ) : (
        state.data.campaigns.map((campaign) => <CampaignRow key={campaign.id} campaign={campaign} />)
      )}
    </View>
  );
}

/** Opens the form without also opening the row's campaign page underneath. */
const edit = (query: string) => (event: { stopPropagation: () => void }) => {
  event.stopPropagation();
  void Taro.navigateTo({ url: `/staff/campaign-edit/index${query}` });
};

function CampaignRow({ campaign }: { campaign: CampaignView }) {
  return (
    <View
      id={`campaign-${campaign.id}`}
      className='campaign-row'
      onClick={() => void Taro.navigateTo({ url: `/staff/campaign/index?id=${campaign.id}` })}
    >
      <View className='campaign-row__head'>
        <Text className='campaign-row__name'>{campaign.name}</Text>
        <Text id={`campaign-status-${campaign.id}`} className={`campaign-status campaign-status--${campaign.status}`}>
          {CAMPAIGN_STATUS_NAMES[campaign.status] ?? campaign.status}
        </Text>
      </View>
      <Text className='campaign-row__meta'>{scheduleText(campaign)}</Text>
      <Text className='campaign-row__meta'>
        {offerSummary(campaign)}
        {campaign.messageKind ? ` · 消息「${MESSAGE_KIND_TITLES[campaign.messageKind] ?? campaign.messageKind}」` : ''}
      </Text>
      <View className='campaign-row__foot'>
        <Text id={`campaign-last-run-${campaign.id}`} className='campaign-row__run'>
          {lastRunText(campaign)}
        </Text>
        {/* What this status allows from the list: a draft is edited; a system campaign follows its config. */}
        {campaign.system === null ? (
          <View className='campaign-row__actions'>
            {campaign.status === 'draft' ? (
              <Text id={`campaign-row-edit-${campaign.id}`} className='campaign-row__action' onClick={edit(`?id=${campaign.id}`)}>
                编辑
              </Text>
            ) : null}
            <Text id={`campaign-row-copy-${campaign.id}`} className='campaign-row__action' onClick={edit(`?copyOf=${campaign.id}`)}>
              复制
            </Text>
          </View>
        ) : null}
      </View>
    </View>
  );
}

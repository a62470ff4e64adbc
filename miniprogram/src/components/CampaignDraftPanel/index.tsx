import { useState, type ReactNode } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { CampaignView } from '@member/shared';
import { deleteCampaign, messageOf } from '../../api';
import { useAudiencePreview } from '../../hooks/useAudiencePreview';
import ActionButton from '../ActionButton';
import AudiencePreview from '../AudiencePreview';
import './index.scss';

export interface CampaignDraftPanelProps {
  campaign: CampaignView;
  /** An action is running on the page (launch, pause): these wait. */
  busy: boolean;
  /** The page's main action (发布 / 暂停 / 恢复), shown between the numbers and these secondary actions. */
  children?: ReactNode;
}

/**
 * On a campaign's page: a draft shows its audience's size now and how many its message can reach (the audience
 * preview API, asked again when the page opens), and may be edited or deleted; any campaign may be copied into a
 * new draft. A system campaign (birthday, reminders) follows its config and offers none of these.
 */
export default function CampaignDraftPanel({ campaign, busy, children }: CampaignDraftPanelProps) {
  const draft = campaign.status === 'draft';
  const preview = useAudiencePreview(draft ? campaign.filter : null, campaign.messageKind, 0);
  const [deleting, setDeleting] = useState(false);
  if (campaign.system !== null) return <>{children}</>;

  const remove = async () => {
    const answer = await Taro.showModal({
      title: '删除这个草稿？',
      content: `「${campaign.name}」删除后不可恢复。`,
      confirmText: '删除',
      confirmColor: '#d93026',
      cancelText: '取消',
    });
    if (!answer.confirm) return;
    setDeleting(true);
    try {
      await deleteCampaign(campaign.id);
      void Taro.showToast({ title: '草稿已删除', icon: 'none' });
      setTimeout(() => void Taro.navigateBack().catch(() => Taro.redirectTo({ url: '/staff/campaigns/index' })), 500);
    } catch (error) {
      setDeleting(false);
      void Taro.showToast({ title: messageOf(error), icon: 'none' });
    }
  };
  const open = (query: string) => void Taro.navigateTo({ url: `/staff/campaign-edit/index${query}` });

  return (
    <View id='campaign-draft' className='campaign-draft'>
      {draft ? (
        <View className='section'>
          <Text className='section-title'>发布前人数</Text>
          <AudiencePreview preview={preview} messageKind={campaign.messageKind} noMessageText='本活动不发消息' />
          <Text className='campaign-draft__hint'>按当前会员数据计算；发布时会再算一次并请你确认</Text>
        </View>
      ) : null}
      {children}
      <View className='campaign-draft__actions'>
        {draft ? (
          <>
            <ActionButton
              id='campaign-delete'
              className='campaign-draft__action campaign-draft__action--danger'
              loading={deleting}
              disabled={busy || deleting || undefined}
              onClick={() => void remove()}
            >
              删除草稿
            </ActionButton>
            <ActionButton
              id='campaign-edit'
              className='campaign-draft__action'
              disabled={busy || deleting || undefined}
              onClick={() => open(`?id=${campaign.id}`)}
            >
              编辑
            </ActionButton>
          </>
        ) : null}
        <ActionButton
          id='campaign-copy'
          className='campaign-draft__action'
          disabled={busy || deleting || undefined}
          onClick={() => open(`?copyOf=${campaign.id}`)}
        >
          复制为新活动
        </ActionButton>
      </View>
    </View>
  );
}

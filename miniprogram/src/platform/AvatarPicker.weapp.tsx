import { Image, Text, View } from '@tarojs/components';
import ActionButton from '../components/ActionButton';
import type { AvatarPickerProps } from './types';
import './AvatarPicker.scss';
import { mediaUrl } from '../api/http';

/** WeChat's avatar chooser (wx.getUserProfile no longer returns a real avatar, wechat-protocols §8). */
export default function AvatarPicker({ avatarUrl, disabled = false, onPick }: AvatarPickerProps) {
  return (
    <ActionButton
      id='avatar-choose'
      className='avatar-picker avatar-picker--button'
      openType='chooseAvatar'
      disabled={disabled || undefined}
      onChooseAvatar={(event) => {
        const picked = (event.detail as { avatarUrl?: string }).avatarUrl;
        if (picked) onPick({ kind: 'file', value: picked });
      }}
    >
      <View className='avatar-picker__circle'>
        {avatarUrl ? (
          <Image className='avatar-picker__img' src={mediaUrl(avatarUrl)} mode='aspectFill' />
        ) : (
          <Text className='avatar-picker__placeholder'>头像</Text>
        )}
      </View>
      <Text className='avatar-picker__hint'>点击更换头像</Text>
    </ActionButton>
  );
}

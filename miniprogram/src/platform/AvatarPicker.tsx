import { Image, Text, View } from '@tarojs/components';
import type { AvatarPickerProps } from './types';
import './AvatarPicker.scss';
import { mediaUrl } from '../api/http';

/** Targets without an avatar chooser: shows the current avatar only. */
export default function AvatarPicker({ avatarUrl }: AvatarPickerProps) {
  return (
    <View className='avatar-picker'>
      <View className='avatar-picker__circle'>
        {avatarUrl ? (
          <Image className='avatar-picker__img' src={mediaUrl(avatarUrl)} mode='aspectFill' />
        ) : (
          <Text className='avatar-picker__placeholder'>头像</Text>
        )}
      </View>
    </View>
  );
}

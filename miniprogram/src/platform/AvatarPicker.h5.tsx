import Taro from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import type { AvatarPickerProps } from './types';
import './AvatarPicker.scss';
import { mediaUrl } from '../api/http';

/**
 * The browser has no WeChat avatar chooser: the member picks a picture file (album or camera on a phone), which
 * is uploaded like weapp's chosen avatar (multipart `file`; the server checks its type from the bytes).
 */
export default function AvatarPicker({ avatarUrl, disabled = false, onPick }: AvatarPickerProps) {
  const choose = async () => {
    if (disabled) return;
    try {
      const picked = await Taro.chooseImage({ count: 1, sizeType: ['compressed'], sourceType: ['album', 'camera'] });
      const path = picked.tempFilePaths[0];
      if (path) onPick({ kind: 'file', value: path });
    } catch {
      // Closed without choosing: nothing to do.
    }
  };
  return (
    <View id='avatar-choose' className={`avatar-picker${disabled ? ' avatar-picker--disabled' : ''}`} onClick={() => void choose()}>
      <View className='avatar-picker__circle'>
        {avatarUrl ? (
          <Image className='avatar-picker__img' src={mediaUrl(avatarUrl)} mode='aspectFill' />
        ) : (
          <Text className='avatar-picker__placeholder'>头像</Text>
        )}
      </View>
      <Text className='avatar-picker__hint'>点击更换头像</Text>
    </View>
  );
}

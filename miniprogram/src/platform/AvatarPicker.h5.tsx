import { useEffect, useState } from 'react';
import { Image, Input, Text, View } from '@tarojs/components';
import ActionButton from '../components/ActionButton';
import type { AvatarPickerProps } from './types';
import './AvatarPicker.scss';
import { mediaUrl } from '../api/http';

/** The browser has no WeChat avatar chooser: an image URL can be typed in instead. */
export default function AvatarPicker({ avatarUrl, disabled = false, onPick }: AvatarPickerProps) {
  const [url, setUrl] = useState(avatarUrl ?? '');
  useEffect(() => setUrl(avatarUrl ?? ''), [avatarUrl]);
  const valid = /^https:\/\/\S+$/i.test(url.trim());
  return (
    <View className='avatar-picker avatar-picker--h5'>
      <View className='avatar-picker__circle'>
        {avatarUrl ? (
          <Image className='avatar-picker__img' src={mediaUrl(avatarUrl)} mode='aspectFill' />
        ) : (
          <Text className='avatar-picker__placeholder'>头像</Text>
        )}
      </View>
      <View className='avatar-picker__url'>
        <Input
          id='avatar-url'
          className='avatar-picker__input'
          placeholder='头像图片地址（https://…）'
          value={url}
          disabled={disabled}
          onInput={(event) => setUrl(event.detail.value)}
        />
        <ActionButton
          id='avatar-save'
          className='avatar-picker__save'
          disabled={disabled || !valid || url.trim() === (avatarUrl ?? '') || undefined}
          onClick={() => onPick({ kind: 'url', value: url.trim() })}
        >
          使用
        </ActionButton>
      </View>
    </View>
  );
}

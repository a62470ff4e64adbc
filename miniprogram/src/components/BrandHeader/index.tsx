import type { ReactNode } from 'react';
import { Image, Text, View } from '@tarojs/components';
import type { Brand } from '@member/shared';
import './index.scss';

export interface BrandHeaderProps {
  brand: Brand | null;
  /** Shown on the coloured band under the name (the member card overlaps its lower edge). */
  children?: ReactNode;
}

/** 首页's top: the brand's colour band with its logo, name and slogan; the card sits on its lower edge. */
export default function BrandHeader({ brand, children }: BrandHeaderProps) {
  const band = brand ? { background: `linear-gradient(160deg, ${brand.primaryColor} 0%, ${brand.accentColor} 140%)` } : undefined;
  return (
    <View id='brand-header' className='brand-header'>
      <View className='brand-header__band' style={band} />
      <View className='brand-header__row'>
        {brand ? <Image id='brand-logo' className='brand-header__logo' src={brand.logo} /> : <View className='brand-header__logo' />}
        <View className='brand-header__text'>
          <Text id='brand-name' className='brand-header__name'>
            {brand?.name ?? ''}
          </Text>
          <Text className='brand-header__slogan'>{brand?.slogan ?? ''}</Text>
        </View>
      </View>
      <View className='brand-header__body'>{children}</View>
    </View>
  );
}

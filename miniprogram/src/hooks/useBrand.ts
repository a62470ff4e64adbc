import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import type { Brand } from '@member/shared';
import { loadPublicConfig, peekPublicConfig } from '../api';
import platform from '../platform';

/**
 * The brand from the public config the app loads first (name, logo, colours, service, tier card art); null
 * until it arrived. A failure leaves it null: pages then show their neutral look, never an error for it.
 */
export function useBrand(): Brand | null {
  const [brand, setBrand] = useState<Brand | null>(() => peekPublicConfig()?.brand ?? null);
  useEffect(() => {
    if (brand) return undefined;
    let live = true;
    loadPublicConfig().then(
      (config) => live && setBrand(config.brand ?? null),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [brand]);
  return brand;
}

/**
 * Paints WeChat's navigation bar (white text on `color`) while the page is open, so a coloured page has no white
 * strip above it. The H5 build shows no navigation bar, so only weapp is asked.
 */
export function useNavigationBarColor(color: string | null | undefined): void {
  useEffect(() => {
    if (!color || platform.name !== 'weapp') return;
    Taro.setNavigationBarColor({ frontColor: '#ffffff', backgroundColor: color }).catch(() => undefined);
  }, [color]);
}

import { useEffect, useState } from 'react';
import type { Brand } from '@member/shared';
import { loadPublicConfig, peekPublicConfig } from '../api';

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

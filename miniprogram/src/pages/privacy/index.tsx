import { useEffect, useState } from 'react';
import { View } from '@tarojs/components';
import { loadPublicConfig } from '../../api';
import LegalDocument from '../../components/LegalDocument';
import { PRIVACY_POLICY } from '../../content/legal';
import { useBrand } from '../../hooks/useBrand';

/** 隐私政策: the full member privacy policy (linked from join and 我的). */
export default function PrivacyPage() {
  const brand = useBrand();
  const [version, setVersion] = useState<string | undefined>();
  useEffect(() => {
    loadPublicConfig().then(
      (config) => setVersion(config.privacyPolicyVersion),
      () => undefined,
    );
  }, []);
  return (
    <View className='page'>
      <LegalDocument id='privacy-policy' document={PRIVACY_POLICY} issuer={brand?.name} version={version} />
    </View>
  );
}

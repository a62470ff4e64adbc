import { View } from '@tarojs/components';
import LegalDocument from '../../components/LegalDocument';
import { USER_AGREEMENT } from '../../content/legal';
import { useBrand } from '../../hooks/useBrand';

/** 用户协议: the member service agreement (linked from join and 我的). */
export default function AgreementPage() {
  const brand = useBrand();
  return (
    <View className='page'>
      <LegalDocument id='user-agreement' document={USER_AGREEMENT} issuer={brand?.name} />
    </View>
  );
}

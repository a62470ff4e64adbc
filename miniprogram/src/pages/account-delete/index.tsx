import { View } from '@tarojs/components';

// Placeholder registered in app.config.ts so the page list is settled; issue 16's work replaces it.
export default function Page() {
  return <View className='page'>注销账号</View>;
}

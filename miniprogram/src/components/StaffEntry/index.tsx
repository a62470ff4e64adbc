import { Text, View } from '@tarojs/components';
import { openPage } from '../../utils/navigation';
import './index.scss';

/** The way into the staff pages, shown only to staff accounts (首页 and 我的). */
export default function StaffEntry() {
  return (
    <View id='staff-entry' className='staff-entry' onClick={() => openPage('/staff/home/index')}>
      <View className='staff-entry__icon'>
        <Text>店</Text>
      </View>
      <View className='staff-entry__text'>
        <Text className='staff-entry__title'>员工入口</Text>
        <Text className='staff-entry__sub'>识别会员 · 记录消费 · 核销</Text>
      </View>
      <Text className='staff-entry__arrow'>›</Text>
    </View>
  );
}

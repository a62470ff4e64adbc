import { Text, View } from '@tarojs/components';
import { StaffRole } from '@member/shared';
import { openPage } from '../../../utils/navigation';
import './index.scss';

interface Entry {
  id: string;
  label: string;
  glyph: string;
  tone: string;
  url: string;
  roles?: StaffRole[];
}

/** Everything but the sale itself; marketing tools only for HQ (admin). Ids are the browser tests'. */
const ENTRIES: Entry[] = [
  { id: 'staff-goto-redeem', label: '核销优惠券', glyph: '券', tone: 'red', url: '/staff/redeem/index' },
  { id: 'staff-goto-sales', label: '销售记录', glyph: '销', tone: 'orange', url: '/staff/sales/index' },
  { id: 'staff-goto-paycode', label: '收款码', glyph: '收', tone: 'green', url: '/staff/paycode/index' },
  { id: 'staff-goto-pay-orders', label: '支付订单', glyph: '单', tone: 'blue', url: '/staff/pay-orders/index' },
  { id: 'staff-goto-feedback', label: '投诉反馈', glyph: '诉', tone: 'red', url: '/staff/feedback/index' },
  {
    id: 'staff-goto-feedback-report',
    label: '服务报表',
    glyph: '评',
    tone: 'teal',
    url: '/staff/feedback-report/index',
    roles: [StaffRole.StoreManager, StaffRole.Admin],
  },
  {
    id: 'staff-goto-points-adjust',
    label: '积分调整',
    glyph: '积',
    tone: 'orange',
    url: '/staff/points-adjust/index',
    roles: [StaffRole.Admin],
  },
  { id: 'staff-goto-templates', label: '优惠券管理', glyph: '管', tone: 'purple', url: '/staff/templates/index', roles: [StaffRole.Admin] },
  { id: 'staff-goto-audience', label: '客户分层', glyph: '群', tone: 'teal', url: '/staff/audience/index', roles: [StaffRole.Admin] },
  { id: 'staff-goto-campaigns', label: '营销活动', glyph: '活', tone: 'pink', url: '/staff/campaigns/index', roles: [StaffRole.Admin] },
  {
    id: 'staff-goto-console-login',
    label: '扫码登录后台',
    glyph: '登',
    tone: 'blue',
    url: '/staff/console-login/index',
    roles: [StaffRole.StoreManager, StaffRole.Admin],
  },
  {
    id: 'staff-goto-dashboard',
    label: '数据看板',
    glyph: '数',
    tone: 'teal',
    url: '/staff/dashboard/index',
    roles: [StaffRole.StoreManager, StaffRole.Admin],
  },
  { id: 'staff-goto-rules', label: '营销规则', glyph: '规', tone: 'orange', url: '/staff/rules/index', roles: [StaffRole.Admin] },
];

export default function StaffIconGrid({ role }: { role: StaffRole }) {
  const entries = ENTRIES.filter((entry) => !entry.roles || entry.roles.includes(role));
  return (
    <View className='staff-grid'>
      {entries.map((entry) => (
        <View key={entry.id} id={entry.id} className='staff-grid__item' onClick={() => openPage(entry.url)}>
          <View className={`staff-grid__icon staff-grid__icon--${entry.tone}`}>
            <Text>{entry.glyph}</Text>
          </View>
          <Text className='staff-grid__label'>{entry.label}</Text>
        </View>
      ))}
    </View>
  );
}

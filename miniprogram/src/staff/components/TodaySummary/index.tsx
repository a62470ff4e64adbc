import { Text, View } from '@tarojs/components';
import { formatFen, type SalesSummary } from '@member/shared';
import './index.scss';

export interface TodaySummaryProps {
  summary: SalesSummary | null;
  storeName: string | null;
  /** Tapping opens the sales history (home); absent on the history itself. */
  onOpen?: () => void;
  title?: string;
}

/** Today at the clerk's store at a glance; tapping opens the sales history. */
export default function TodaySummary({ summary, storeName, onOpen, title = '今日概况' }: TodaySummaryProps) {
  const tiles = [
    { id: 'today-sales-count', label: '销售笔数', value: summary ? String(summary.salesCount) : '—' },
    { id: 'today-sales-amount', label: '销售额', value: summary ? formatFen(summary.salesFen - summary.refundedFen) : '—' },
    { id: 'today-redemptions', label: '核销券', value: summary ? String(summary.redemptions) : '—' },
    { id: 'today-new-members', label: '新会员', value: summary ? String(summary.newMembers) : '—' },
  ];
  return (
    <View id='staff-today' className='today-summary' onClick={onOpen}>
      <View className='today-summary__head'>
        <Text className='today-summary__title'>{title}</Text>
        {onOpen ? <Text className='today-summary__more'>{`${storeName ?? '全部门店'} · 销售记录 ›`}</Text> : null}
      </View>
      <View className='today-summary__tiles'>
        {tiles.map((tile) => (
          <View key={tile.id} className='today-summary__tile'>
            <Text id={tile.id} className='today-summary__value'>
              {tile.value}
            </Text>
            <Text className='today-summary__label'>{tile.label}</Text>
          </View>
        ))}
      </View>
      {summary && summary.refundedFen > 0 ? (
        <Text id='today-refunded' className='today-summary__note'>
          销售额已扣除退款 {formatFen(summary.refundedFen)}
        </Text>
      ) : null}
    </View>
  );
}

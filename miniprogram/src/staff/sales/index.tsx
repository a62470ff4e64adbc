import { useCallback, useEffect, useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { DatePicker } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/datepicker/style/css';
import type { SaleListItem, SalesSummary } from '@member/shared';
import ActionButton from '../../components/ActionButton';
import StateView from '../../components/StateView';
import { getSalesSummary, listSales, messageOf } from '../../api';
import { backToHome } from '../../utils/navigation';
import { businessToday, dayLabel, maskName } from '../../utils/till';
import SaleCard from '../components/SaleCard';
import TodaySummary from '../components/TodaySummary';
import { useTillMember } from '../hooks/useTillMember';
import './index.scss';

const pad = (n: unknown) => String(n).padStart(2, '0');
const shiftDay = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

type Filter = { kind: 'day' } | { kind: 'receipt'; receipt: string } | { kind: 'member' };

/**
 * 销售记录: the store's sales of a day (today first), newest first, paged; found again by receipt number or by the
 * member identified on the till (never a bare member id); each opened to refund it (confirmed).
 */
export default function SalesPage() {
  const till = useTillMember();
  const today = businessToday();
  const [date, setDate] = useState(today);
  const [filter, setFilter] = useState<Filter>({ kind: 'day' });
  const [receiptInput, setReceiptInput] = useState('');
  const [sales, setSales] = useState<SaleListItem[] | null>(null);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [summary, setSummary] = useState<SalesSummary | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);
  const [picking, setPicking] = useState(false);
  const [error, setError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);

  const query = useCallback(
    (before?: number) => ({
      date,
      before,
      receipt: filter.kind === 'receipt' ? filter.receipt : undefined,
      tillTicket: filter.kind === 'member' ? till.member?.tillTicket : undefined,
    }),
    [date, filter, till.member],
  );

  const load = useCallback(async () => {
    setError('');
    setSales(null);
    try {
      const [page, day] = await Promise.all([listSales(query()), getSalesSummary({ date })]);
      setSales(page.sales);
      setNextBefore(page.nextBefore);
      setSummary(day);
    } catch (failure) {
      setError(messageOf(failure));
      setSales([]);
    }
  }, [query, date]);

  useEffect(() => {
    void load();
  }, [load]);

  const more = async () => {
    if (nextBefore === null) return;
    setLoadingMore(true);
    try {
      const page = await listSales(query(nextBefore));
      setSales((current) => [...(current ?? []), ...page.sales]);
      setNextBefore(page.nextBefore);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setLoadingMore(false);
    }
  };

  const findReceipt = () => {
    const receipt = receiptInput.replace(/\s/g, '');
    if (!/^\d{1,12}$/.test(receipt)) return setError('请输入小票号（数字）');
    setFilter({ kind: 'receipt', receipt });
  };

  const refunded = (sale: SaleListItem, refund: { purchase: { refundedFen: number } }) => {
    setSales((current) => (current ?? []).map((s) => (s.id === sale.id ? { ...s, refundedFen: refund.purchase.refundedFen } : s)));
    void getSalesSummary({ date }).then(setSummary, () => undefined);
  };

  const [year, month, day] = date.split('-').map(Number);
  return (
    <View className='page sales-page'>
      <View className='sales-page__days'>
        <View id='sales-prev-day' className='sales-page__arrow' onClick={() => setDate(shiftDay(date, -1))}>
          <Text>‹</Text>
        </View>
        <View id='sales-date' className='sales-page__date' onClick={() => setPicking(true)}>
          <Text>{dayLabel(date, today)}</Text>
          <Text className='sales-page__date-full'>{date}</Text>
        </View>
        <View
          id='sales-next-day'
          className={`sales-page__arrow${date >= today ? ' sales-page__arrow--off' : ''}`}
          onClick={() => date < today && setDate(shiftDay(date, 1))}
        >
          <Text>›</Text>
        </View>
      </View>

      <TodaySummary
        summary={summary}
        storeName={null}
        title={date === today ? '今日概况' : `${dayLabel(date, today).replace('昨天', '昨日')}概况`}
      />

      <View className='sales-page__search'>
        <Input
          id='sales-receipt'
          className='sales-page__input'
          type='number'
          placeholder='小票号'
          value={receiptInput}
          onInput={(e) => setReceiptInput(e.detail.value)}
          onConfirm={findReceipt}
        />
        <ActionButton id='sales-find' className='sales-page__find' onClick={findReceipt}>
          查找
        </ActionButton>
      </View>
      <View className='sales-page__filters'>
        <Text
          id='sales-filter-day'
          className={`sales-page__chip${filter.kind === 'day' ? ' sales-page__chip--on' : ''}`}
          onClick={() => setFilter({ kind: 'day' })}
        >
          当天全部
        </Text>
        <Text
          id='sales-by-member'
          className={`sales-page__chip${filter.kind === 'member' ? ' sales-page__chip--on' : ''}`}
          onClick={() => (till.member ? setFilter({ kind: 'member' }) : backToHome())}
        >
          {till.member ? `仅看 ${maskName(till.member.nickname)}` : '按会员查：先识别会员'}
        </Text>
        {filter.kind === 'receipt' ? <Text className='sales-page__chip sales-page__chip--on'>小票 {filter.receipt}</Text> : null}
      </View>

      {error ? (
        <Text id='sales-error' className='form-error'>
          {error}
        </Text>
      ) : null}
      {sales === null ? <StateView status='loading' compact idPrefix='sales' /> : null}
      {sales?.length === 0 && !error ? (
        <StateView status='empty' compact idPrefix='sales' title={filter.kind === 'receipt' ? '未找到该小票' : '这一天还没有销售'} />
      ) : null}
      {sales?.map((sale) => (
        <SaleCard
          key={sale.id}
          sale={sale}
          open={openId === sale.id}
          onToggle={() => setOpenId(openId === sale.id ? null : sale.id)}
          onRefunded={(refund) => refunded(sale, refund)}
        />
      ))}
      {nextBefore !== null ? (
        <ActionButton id='sales-more' className='ghost-button sales-page__more' loading={loadingMore} onClick={() => void more()}>
          加载更多
        </ActionButton>
      ) : null}

      <DatePicker
        visible={picking}
        title='选择日期'
        type='date'
        value={new Date(year, month - 1, day)}
        startDate={new Date(year - 1, 0, 1)}
        endDate={new Date(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1, Number(today.slice(8, 10)))}
        onClose={() => setPicking(false)}
        onConfirm={(_, values) => {
          setPicking(false);
          setDate(`${values[0]}-${pad(values[1])}-${pad(values[2])}`);
        }}
      />
    </View>
  );
}

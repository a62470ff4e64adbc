import { useCallback, useMemo, useState } from 'react';
import { Picker, Text, View } from '@tarojs/components';
import { formatFen, type DashboardKpi, type DashboardResponse, type MetricUnit } from '@member/shared';
import { getMetricsDashboard, getMetricsStores } from '../../api';
import { currentSession } from '../../api/session';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { businessDate, businessDateTime } from '../../utils/dates';
import F2Chart, { type ChartPoint } from '../components/F2Chart';
import './index.scss';

/** The tiles a manager reads at a glance, in this order (the API has more; the console shows them all). */
const TILE_KEYS = [
  'member_sales',
  'member_purchases',
  'repurchase_rate',
  'active_members',
  'members_new',
  'points_redemption_rate',
  'message_reach_rate',
  'coupons_redeemed',
  'coupon_discount',
];
const MAX_TILES = 8;
const PERIODS = [
  { days: 7, label: '近7天' },
  { days: 30, label: '近30天' },
];

/** YYYY-MM-DD moved by whole days (calendar arithmetic, no time zone involved). */
function shiftDay(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function formatValue(value: number, unit: MetricUnit): string {
  if (unit === 'fen') return formatFen(value);
  if (unit === 'permille') return `${(value / 10).toFixed(1)}%`;
  return value.toLocaleString('zh-CN');
}
const axisFormat: Record<MetricUnit, (value: number) => string> = {
  fen: (value) => `¥${Math.round(value / 100)}`,
  permille: (value) => `${Math.round(value / 10)}%`,
  count: (value) => `${value}`,
  points: (value) => `${value}`,
};

function Tile({ kpi }: { kpi: DashboardKpi }) {
  const below = kpi.met === false;
  return (
    <View id={`dash-kpi-${kpi.key}`} className={`dash__tile${below ? ' dash__tile--below' : ''}`}>
      <Text className='dash__tile-label'>{kpi.label}</Text>
      <Text className='dash__tile-value'>{kpi.noData ? '—' : formatValue(kpi.value, kpi.unit)}</Text>
      {kpi.target !== undefined ? (
        <Text className={`dash__tile-target ${kpi.noData ? '' : kpi.met ? 'dash__tile-target--met' : 'dash__tile-target--below'}`}>
          目标 ≥ {formatValue(kpi.target, kpi.unit)} · {kpi.noData ? '暂无数据' : kpi.met ? '已达成' : '未达成'}
        </Text>
      ) : null}
    </View>
  );
}

/**
 * 数据看板 for store managers (their stores) and HQ (the chain or any store): KPI tiles with their targets and
 * three trends, from the daily snapshots (the console's dashboard API). Charts are AntV F2, loaded with this
 * subpackage only.
 */
export default function DashboardPage() {
  const today = businessDate(new Date());
  const [period, setPeriod] = useState(0);
  const [storeIndex, setStoreIndex] = useState(0);
  const stores = useLoader(
    useCallback(() => getMetricsStores(), []),
    { blockedBy: ['FORBIDDEN'] },
  );
  const storeList = stores.state.kind === 'ready' ? stores.state.data.stores : null;
  // HQ may look at the whole chain (no store); a manager's picker holds their own stores only.
  const choices = useMemo(() => {
    if (!storeList) return null;
    const hq = currentSession()?.staffRole === 'admin';
    return [...(hq ? [{ code: null as string | null, name: '全部门店' }] : []), ...storeList];
  }, [storeList]);
  const store = choices?.[Math.min(storeIndex, choices.length - 1)] ?? null;
  const from = shiftDay(today, -(PERIODS[period].days - 1));
  const { state, reload } = useLoader(
    useCallback(
      () => (choices ? getMetricsDashboard(from, today, store?.code ?? null) : new Promise<DashboardResponse>(() => undefined)),
      [choices, from, today, store?.code],
    ),
    { blockedBy: ['FORBIDDEN', 'STORE_NOT_YOURS'] },
  );
  const dashboard = state.kind === 'ready' ? state.data : null;
  const tiles = dashboard
    ? TILE_KEYS.map((key) => dashboard.kpis.find((kpi) => kpi.key === key))
        .filter((kpi): kpi is DashboardKpi => kpi !== undefined)
        .slice(0, MAX_TILES)
    : [];
  const series = (key: string): ChartPoint[] => dashboard?.series[key] ?? [];
  const third = dashboard?.series.members_new ? 'members_new' : 'coupons_redeemed';
  const hasDays = dashboard ? Object.values(dashboard.series).some((points) => points.length > 0) : false;

  if (stores.state.kind === 'blocked' || state.kind === 'blocked')
    return (
      <View className='page dash'>
        <StateView status='empty' idPrefix='dash' title='仅限店长和总部查看' />
      </View>
    );
  return (
    <View className='page dash'>
      <View className='dash__bar'>
        <View className='dash__periods'>
          {PERIODS.map((option, index) => (
            <Text
              key={option.days}
              id={`dash-period-${option.days}`}
              className={`dash__period${index === period ? ' dash__period--on' : ''}`}
              onClick={() => setPeriod(index)}
            >
              {option.label}
            </Text>
          ))}
        </View>
        {choices && choices.length > 1 ? (
          <Picker
            mode='selector'
            range={choices.map((choice) => choice.name)}
            value={storeIndex}
            onChange={(e) => setStoreIndex(Number(e.detail.value))}
          >
            <Text id='dash-store' className='dash__store'>
              {store?.name ?? '全部门店'} ▾
            </Text>
          </Picker>
        ) : (
          <Text id='dash-store' className='dash__store'>
            {store?.name ?? ''}
          </Text>
        )}
      </View>
      <Text id='dash-range' className='dash__hint'>
        {from} 至 {today}
        {dashboard?.asOf ? ` · 数据更新于 ${businessDateTime(dashboard.asOf)}` : ''}
      </Text>
      {state.kind === 'loading' || stores.state.kind === 'loading' ? <StateView status='loading' idPrefix='dash' /> : null}
      {state.kind === 'error' ? (
        <StateView status='error' idPrefix='dash' message={state.message} onRetry={() => void reload(false)} />
      ) : null}
      {stores.state.kind === 'error' ? (
        <StateView status='error' idPrefix='dash' message={stores.state.message} onRetry={() => void stores.reload(false)} />
      ) : null}
      {dashboard && !hasDays ? (
        <StateView status='empty' idPrefix='dash' title='暂无数据' message='该时段还没有统计快照（每日凌晨生成），请稍后再看' />
      ) : null}
      {dashboard && hasDays ? (
        <View id='dash-body'>
          <View id='dash-kpis' className='dash__tiles'>
            {tiles.map((kpi) => (
              <Tile key={kpi.key} kpi={kpi} />
            ))}
          </View>
          <View className='dash__card'>
            <Text className='section-title'>会员销售额</Text>
            <F2Chart id='dash-chart-sales' kind='line' data={series('member_sales')} format={axisFormat.fen} />
          </View>
          <View className='dash__card'>
            <Text className='section-title'>会员消费笔数</Text>
            <F2Chart id='dash-chart-purchases' kind='bar' data={series('member_purchases')} format={axisFormat.count} color='#3b7be8' />
          </View>
          <View className='dash__card'>
            <Text className='section-title'>{third === 'members_new' ? '新增会员' : '核销券数'}</Text>
            <F2Chart id='dash-chart-third' kind='bar' data={series(third)} format={axisFormat.count} color='#1a9b5b' />
          </View>
        </View>
      ) : null}
    </View>
  );
}

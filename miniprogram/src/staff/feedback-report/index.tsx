import { useCallback, useState } from 'react';
import { Picker, Text, View } from '@tarojs/components';
import type { FeedbackReport, FeedbackReportRow } from '@member/shared';
import { getFeedbackReport } from '../../api';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { businessDate } from '../../utils/dates';
import { money } from '../../utils/pay';
import '../feedback-case/index.scss';
import './index.scss';

const minutes = (value: number | null) => (value === null ? '—' : `${value} 分钟`);
const share = (value: number | null) => (value === null ? '—' : `${Math.round(value * 100)}%`);

function Rows({ id, title, rows }: { id: string; title: string; rows: FeedbackReportRow[] }) {
  return (
    <View id={id} className='staff-case__box'>
      <Text className='section-title'>{title}</Text>
      {rows.length === 0 ? <Text className='staff-case__hint'>无</Text> : null}
      {rows.map((row) => (
        <View key={row.key} className='fb-report__row'>
          <Text>{row.label}</Text>
          <Text>{row.cases} 件</Text>
        </View>
      ))}
    </View>
  );
}

function Figure({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <View className='fb-report__figure'>
      <Text id={id} className='fb-report__value'>
        {value}
      </Text>
      <Text className='fb-report__label'>{label}</Text>
    </View>
  );
}

/** 服务报表: cases raised in a range of business days: volume, response and resolution times, goodwill cost. */
export default function FeedbackReportPage() {
  const today = businessDate(new Date());
  const [from, setFrom] = useState(`${today.slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  const { state, reload } = useLoader(
    useCallback(() => getFeedbackReport(from, to), [from, to]),
    { blockedBy: ['FORBIDDEN'] },
  );
  const report: FeedbackReport | null = state.kind === 'ready' ? state.data : null;
  return (
    <View className='page staff-case fb-report'>
      <View className='fb-report__range'>
        <Picker mode='date' value={from} end={to} onChange={(event) => setFrom(event.detail.value)}>
          <Text id='report-from' className='fb-report__date'>
            {from}
          </Text>
        </Picker>
        <Text>至</Text>
        <Picker mode='date' value={to} start={from} onChange={(event) => setTo(event.detail.value)}>
          <Text id='report-to' className='fb-report__date'>
            {to}
          </Text>
        </Picker>
      </View>
      {state.kind === 'loading' ? <StateView status='loading' idPrefix='report' /> : null}
      {state.kind === 'error' ? (
        <StateView status='error' idPrefix='report' message={state.message} onRetry={() => void reload(false)} />
      ) : null}
      {state.kind === 'blocked' ? <StateView status='empty' idPrefix='report' title='仅限店长和总部查看' /> : null}
      {report ? (
        <View id='report-body'>
          <View className='staff-case__box fb-report__figures'>
            <Figure id='report-cases' label='反馈总数' value={`${report.cases}`} />
            <Figure id='report-in-time' label='按时回复率' value={share(report.withinDeadlineShare)} />
            <Figure id='report-first-response' label='首次回复（中位）' value={minutes(report.medianFirstResponseMinutes)} />
            <Figure id='report-resolution' label='解决用时（中位）' value={minutes(report.medianResolutionMinutes)} />
            <Figure id='report-cost' label='补偿成本' value={money(report.goodwillCostFen)} />
            <Figure id='report-rating' label='平均评分' value={report.averageRating === null ? '—' : `${report.averageRating}`} />
          </View>
          <Text className='staff-case__hint'>
            已回复 {report.responded} 件 · 已解决 {report.resolved} 件 · 平均首次回复 {minutes(report.averageFirstResponseMinutes)} ·
            补偿积分 {report.goodwillPoints} · 补偿券 {report.goodwillCoupons} 张（积分按 ¥0.01/分，券按实际抵扣，未使用按面值）
          </Text>
          <Rows id='report-by-category' title='按问题类型' rows={report.byCategory} />
          <Rows id='report-by-store' title='按门店' rows={report.byStore} />
        </View>
      ) : null}
    </View>
  );
}

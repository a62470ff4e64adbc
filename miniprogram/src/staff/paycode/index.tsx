import { useMemo, useState } from 'react';
import Taro from '@tarojs/taro';
import { Image, Input, Text, View } from '@tarojs/components';
import { encodeStorePaymentCode, type PublicConfig } from '@member/shared';
import { getStaffProfile, loadPublicConfig } from '../../api';
import ChoiceChips from '../../components/ChoiceChips';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { qrImage } from '../../utils/code-images';
import { money, readYuanInput } from '../../utils/pay';
import './index.scss';

const STORE_KEY = 'staff.payStoreCode';

async function fetchConfig(): Promise<PublicConfig> {
  // Staff only: a member who opens this page gets FORBIDDEN, shown as its own state.
  await getStaffProfile();
  return loadPublicConfig();
}

function rememberedStore(): string {
  try {
    return String(Taro.getStorageSync(STORE_KEY) || '');
  } catch {
    return '';
  }
}

/**
 * The till's payment code: the clerk picks the store and types the amount; the member scans the QR in the
 * mini-program (付款 → 扫码付款) and pays that amount there, with their coupon and points.
 */
export default function PayCodePage() {
  const { state, reload } = useLoader(fetchConfig, { blockedBy: ['FORBIDDEN'], refreshOnShow: false });
  const [store, setStore] = useState(rememberedStore);
  const [amountText, setAmountText] = useState('');

  const stores = state.kind === 'ready' ? state.data.stores : [];
  const storeCode = stores.some((s) => s.code === store) ? store : (stores[0]?.code ?? '');
  const amount = readYuanInput(amountText, '收款金额');
  const text = amount.ok && storeCode ? encodeStorePaymentCode({ storeCode, amountFen: amount.fen }) : null;
  const qr = useMemo(() => (text ? qrImage(text) : null), [text]);

  if (state.kind === 'loading') {
    return (
      <View className='page paycode-page'>
        <StateView status='loading' idPrefix='paycode-page' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page paycode-page'>
        <StateView status='error' idPrefix='paycode-page' message={state.message} onRetry={() => void reload(false)} />
      </View>
    );
  }
  if (state.kind === 'blocked') {
    return (
      <View className='page paycode-page'>
        <StateView status='empty' idPrefix='paycode-page' title='仅限门店员工使用' message='当前微信账号不在门店员工名单中' />
      </View>
    );
  }
  if (!state.data.payEnabled) {
    return (
      <View className='page paycode-page'>
        <StateView status='empty' idPrefix='paycode-page' title='本店暂未开通微信支付' message='开通后顾客可扫收款码在会员中心付款' />
      </View>
    );
  }

  return (
    <View className='page paycode-page'>
      <View className='section'>
        <Text className='section-title'>门店</Text>
        <ChoiceChips
          idPrefix='paycode-store'
          options={stores.map((s) => ({ value: s.code, label: s.name }))}
          selected={storeCode}
          onSelect={(code) => {
            setStore(code);
            try {
              Taro.setStorageSync(STORE_KEY, code);
            } catch {
              // Remembering the store is a convenience only.
            }
          }}
        />
        <Text className='section-title paycode-page__label'>收款金额（元）</Text>
        <View className='paycode-page__amount'>
          <Text className='paycode-page__symbol'>¥</Text>
          <Input
            id='paycode-amount'
            className='paycode-page__input'
            type='digit'
            placeholder='如 300 或 299.90'
            maxlength={12}
            value={amountText}
            onInput={(e) => setAmountText(e.detail.value)}
          />
        </View>
        {amountText.trim() && !amount.ok ? (
          <Text id='paycode-error' className='form-error'>
            {amount.message}
          </Text>
        ) : null}
      </View>

      <View id='paycode-card' className='paycode-card'>
        {text && qr && amount.ok ? (
          <>
            <Text className='paycode-card__store'>{stores.find((s) => s.code === storeCode)?.name ?? storeCode}</Text>
            <Text id='paycode-amount-text' className='paycode-card__amount'>
              {money(amount.fen)}
            </Text>
            <Image id='paycode-qr' className='paycode-card__qr' src={qr.uri} mode='aspectFit' ariaLabel='收款二维码' />
            <Text className='paycode-card__hint'>请顾客打开会员中心 → 付款 → 扫码付款</Text>
            <Text id='paycode-text' className='paycode-card__text'>
              {text}
            </Text>
          </>
        ) : (
          <StateView
            status='empty'
            compact
            idPrefix='paycode'
            title='输入金额后生成收款码'
            message='顾客扫码后在会员中心付款，可用券和积分'
          />
        )}
      </View>
    </View>
  );
}

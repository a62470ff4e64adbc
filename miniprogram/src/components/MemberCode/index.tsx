import { useMemo } from 'react';
import { Button, Image, Text, View } from '@tarojs/components';
import { barcodeImage, groupDigits, qrImage } from '../../utils/code-images';
import StateView from '../StateView';
import './index.scss';

export type MemberCodeStatus = 'loading' | 'ready' | 'error';

export interface MemberCodeProps {
  /** The rotating code from GET /api/members/me/code; null before the first one arrived. */
  code: string | null;
  status: MemberCodeStatus;
  /** Seconds until the next automatic refresh. */
  secondsLeft?: number;
  /** True while a new code is being fetched but an older one is still on screen. */
  refreshing?: boolean;
  errorMessage?: string;
  onRefresh: () => void;
  title?: string;
}

/** Barcode (CODE128) + QR of the member code, the digits in groups of 4, and the refresh countdown. */
export default function MemberCode({
  code,
  status,
  secondsLeft = 0,
  refreshing = false,
  errorMessage,
  onRefresh,
  title = '会员码',
}: MemberCodeProps) {
  const images = useMemo(() => {
    if (!code) return null;
    try {
      return { barcode: barcodeImage(code), qr: qrImage(code) };
    } catch {
      return null;
    }
  }, [code]);

  return (
    <View id='member-code' className='member-code'>
      <View className='member-code__head'>
        <Text className='member-code__title'>{title}</Text>
        <Text className='member-code__hint'>向店员出示，用于积分和核销</Text>
      </View>

      {status === 'error' && !images ? (
        <StateView status='error' idPrefix='member-code' compact title='会员码加载失败' message={errorMessage} onRetry={onRefresh} />
      ) : !images ? (
        <StateView status='loading' idPrefix='member-code' compact title='正在生成会员码…' />
      ) : (
        <View className={`member-code__body${refreshing ? ' member-code__body--refreshing' : ''}`}>
          <Image
            id='member-code-barcode'
            className='member-code__barcode'
            src={images.barcode.uri}
            mode='scaleToFill'
            ariaLabel='会员条形码'
          />
          <Text id='member-code-text' className='member-code__digits'>
            {groupDigits(code ?? '')}
          </Text>
          <Image id='member-code-qr' className='member-code__qr' src={images.qr.uri} mode='aspectFit' ariaLabel='会员二维码' />
          <View className='member-code__foot'>
            <Text id='member-code-countdown' className='member-code__countdown'>
              {status === 'error' ? errorMessage ?? '刷新失败' : refreshing ? '正在刷新…' : `${secondsLeft} 秒后自动刷新`}
            </Text>
            <Button id='member-code-refresh' className='member-code__refresh' onClick={onRefresh} disabled={refreshing || undefined}>
              刷新
            </Button>
          </View>
        </View>
      )}
    </View>
  );
}

import { useMemo } from 'react';
import { Image, Text, View } from '@tarojs/components';
import { barcodeImage, groupDigits, qrImage } from '../../utils/code-images';
import './index.scss';

export interface CodeImagesProps {
  /** The text to encode (digits): a member code or a coupon code. */
  code: string;
  /** Element ids are `${idPrefix}-barcode`, `${idPrefix}-text`, `${idPrefix}-qr`. */
  idPrefix: string;
  /** What the images are, for screen readers: "会员" → "会员条形码" / "会员二维码". */
  subject?: string;
  /** Digits grouped by 4 under the barcode, as people read them out. */
  groupSize?: number;
}

/**
 * A code as the till reads it: CODE128 barcode, the digits, and a QR code, drawn as SVG data URIs (no canvas,
 * so it looks the same in WeChat and in the browser). Used by the member code and by coupon codes.
 */
export default function CodeImages({ code, idPrefix, subject = '', groupSize = 4 }: CodeImagesProps) {
  const images = useMemo(() => {
    try {
      return { barcode: barcodeImage(code), qr: qrImage(code) };
    } catch {
      return null;
    }
  }, [code]);

  return (
    <View className='code-images'>
      {images ? (
        <Image
          id={`${idPrefix}-barcode`}
          className='code-images__barcode'
          src={images.barcode.uri}
          mode='scaleToFill'
          ariaLabel={`${subject}条形码`}
        />
      ) : null}
      <Text id={`${idPrefix}-text`} className='code-images__digits'>
        {groupDigits(code, groupSize)}
      </Text>
      {images ? (
        <Image id={`${idPrefix}-qr`} className='code-images__qr' src={images.qr.uri} mode='aspectFit' ariaLabel={`${subject}二维码`} />
      ) : null}
    </View>
  );
}

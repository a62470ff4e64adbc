import { Input, Text, View } from '@tarojs/components';
import ActionButton from '../../../components/ActionButton';
import { messageOf } from '../../../api';
import platform from '../../../platform';

export interface TillFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  type?: 'text' | 'digit' | 'number';
  disabled: boolean;
  /** A 扫码 button beside the field (weapp: the camera fills it; H5 has none, the code is typed). */
  scanLabel?: string;
  onScanError?: (message: string) => void;
}

/** One labelled field of the till's forms (styled by the page: purchase-page__field / __row / __label / __input). */
export default function TillField(props: TillFieldProps) {
  const scan = async () => {
    try {
      const scanned = await platform.scanCode();
      if (scanned) props.onChange(scanned.replace(/[\s-]/g, ''));
    } catch (failure) {
      props.onScanError?.(messageOf(failure, '扫码失败，请手动输入'));
    }
  };
  return (
    <View className='purchase-page__field'>
      <Text className='purchase-page__label'>{props.label}</Text>
      <View className='purchase-page__row'>
        <Input
          id={props.id}
          className='purchase-page__input'
          type={props.type ?? 'text'}
          placeholder={props.placeholder}
          maxlength={24}
          value={props.value}
          disabled={props.disabled}
          onInput={(e) => props.onChange(e.detail.value)}
        />
        {props.scanLabel && platform.canScan ? (
          <ActionButton className='purchase-page__scan' disabled={props.disabled || undefined} onClick={() => void scan()}>
            {props.scanLabel}
          </ActionButton>
        ) : null}
      </View>
    </View>
  );
}

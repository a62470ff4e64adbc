import { Input, Text, View } from '@tarojs/components';

export interface TillFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  type?: 'text' | 'digit' | 'number';
  disabled: boolean;
}

/** One labelled field of the till's forms (styled by the page: purchase-page__field / __label / __input). */
export default function TillField(props: TillFieldProps) {
  return (
    <View className='purchase-page__field'>
      <Text className='purchase-page__label'>{props.label}</Text>
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
    </View>
  );
}

import { Button, type ButtonProps } from '@tarojs/components';
import { guardHandlers } from './guard';

export type ActionButtonProps = ButtonProps;

/**
 * The one button of the app. `disabled` and `loading` really stop it: no handler runs while either is set (see
 * guard.ts for why Taro's own `disabled` is not enough), and a loading button is also shown disabled.
 */
export default function ActionButton({ disabled = false, loading = false, ...props }: ActionButtonProps) {
  const inactive = Boolean(disabled || loading);
  return <Button {...guardHandlers(props, inactive)} disabled={inactive || undefined} loading={loading || undefined} />;
}

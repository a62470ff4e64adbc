import { Alert, Button, Empty, Spin } from 'antd';
import type { ReactNode } from 'react';
import type { Loaded } from '../hooks';

/** The loading, error and empty states every page shows the same way; `children` once there is data. */
export function PageState<T>({
  loaded,
  empty,
  emptyText = '暂无数据',
  children,
}: {
  loaded: Loaded<T>;
  empty?: (data: T) => boolean;
  emptyText?: string;
  children: (data: T) => ReactNode;
}) {
  if (loaded.error && loaded.data === undefined)
    return (
      <Alert
        type='error'
        showIcon
        message='加载失败'
        description={loaded.error.message}
        action={
          <Button size='small' onClick={loaded.reload}>
            重试
          </Button>
        }
      />
    );
  if (loaded.data === undefined) return <Spin size='large' style={{ display: 'block', margin: '80px auto' }} tip='加载中…' />;
  if (empty?.(loaded.data)) return <Empty description={emptyText} style={{ margin: '80px auto' }} />;
  return <Spin spinning={loaded.loading}>{children(loaded.data)}</Spin>;
}

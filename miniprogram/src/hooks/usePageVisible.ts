import { useEffect, useState } from 'react';
import Taro, { useDidHide, useDidShow } from '@tarojs/taro';

/** Whether the current page is on screen: page show/hide plus the whole app going to the background. */
export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(true);
  useDidShow(() => setVisible(true));
  useDidHide(() => setVisible(false));
  useEffect(() => {
    const onShow = () => setVisible(true);
    const onHide = () => setVisible(false);
    Taro.onAppShow(onShow);
    Taro.onAppHide(onHide);
    return () => {
      Taro.offAppShow(onShow);
      Taro.offAppHide(onHide);
    };
  }, []);
  return visible;
}

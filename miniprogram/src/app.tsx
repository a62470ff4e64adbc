import type { PropsWithChildren } from 'react';
import { useLaunch } from '@tarojs/taro';
import { startSession } from './api';
import './app.scss';

function App({ children }: PropsWithChildren) {
  // Silent login as early as possible; pages await the same attempt and show its error with a retry.
  useLaunch(() => startSession());
  return children;
}

export default App;

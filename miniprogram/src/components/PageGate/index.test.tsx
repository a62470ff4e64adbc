import { describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react';
import { Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import PageGate, { gateStatusOf } from '.';

describe('PageGate', () => {
  it('shows the content only when ready', () => {
    const { container, rerender } = render(
      <PageGate status='loading' idPrefix='orders'>
        <Text>订单列表</Text>
      </PageGate>,
    );
    expect(container.querySelector('#orders-loading')).not.toBeNull();
    expect(screen.queryByText('订单列表')).toBeNull();

    rerender(
      <PageGate status='ready' idPrefix='orders'>
        <Text>订单列表</Text>
      </PageGate>,
    );
    expect(screen.getByText('订单列表')).toBeTruthy();
    expect(container.querySelector('#orders-loading')).toBeNull();
  });

  it('shows the error with a retry that calls back', () => {
    const retry = jest.fn();
    const { container } = render(<PageGate status='error' idPrefix='orders' errorMessage='网络不太好' onRetry={retry} />);
    expect(screen.getByText('网络不太好')).toBeTruthy();
    fireEvent.click(container.querySelector('#orders-retry')!);
    expect(retry).toHaveBeenCalledTimes(1);
  });

  it('offers a visitor one way to join', () => {
    const { container } = render(<PageGate status='not-joined' idPrefix='orders' notJoinedMessage='开通后查看您的订单' />);
    expect(screen.getByText('开通后查看您的订单')).toBeTruthy();
    fireEvent.click(container.querySelector('#orders-join')!);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/join/index' });
  });

  it('tells a shopper a staff page is for staff', () => {
    const { container } = render(<PageGate status='staff-only' idPrefix='sales' />);
    expect(container.querySelector('#sales-staff-only')).not.toBeNull();
    expect(screen.getByText('仅限门店员工使用')).toBeTruthy();
  });

  it('reads a loader state', () => {
    expect(gateStatusOf({ kind: 'loading' })).toBe('loading');
    expect(gateStatusOf({ kind: 'error', message: 'x' })).toBe('error');
    expect(gateStatusOf({ kind: 'blocked', code: 'MEMBER_NOT_JOINED' })).toBe('not-joined');
    expect(gateStatusOf({ kind: 'blocked', code: 'FORBIDDEN' })).toBe('staff-only');
    expect(gateStatusOf({ kind: 'ready', data: 1 })).toBe('ready');
  });
});

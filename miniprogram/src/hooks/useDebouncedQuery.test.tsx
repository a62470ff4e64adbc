import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { act, renderHook } from '@testing-library/react';
import { useDebouncedQuery } from './useDebouncedQuery';

describe('useDebouncedQuery', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('asks the first question at once and a run of changes once, after the pause', async () => {
    const ask = jest.fn((q: string) => Promise.resolve(`answer to ${q}`));
    const { result, rerender } = renderHook(({ q }) => useDebouncedQuery(q, ask, { delayMs: 300 }), { initialProps: { q: 'a' } });
    await act(async () => void jest.advanceTimersByTime(0));
    expect(result.current.data).toBe('answer to a');

    rerender({ q: 'ab' });
    await act(async () => void jest.advanceTimersByTime(100));
    rerender({ q: 'abc' });
    expect(result.current.loading).toBe(true);
    await act(async () => void jest.advanceTimersByTime(300));
    expect(ask.mock.calls.map(([q]) => q)).toEqual(['a', 'abc']);
    expect(result.current).toMatchObject({ data: 'answer to abc', loading: false, error: '' });
  });

  it('never lets an older, slower answer overwrite the newer one', async () => {
    const answers: Record<string, (value: string) => void> = {};
    const ask = (q: string) => new Promise<string>((resolve) => (answers[q] = resolve));
    const { result, rerender } = renderHook(({ q }) => useDebouncedQuery(q, ask, { delayMs: 0 }), { initialProps: { q: 'old' } });
    await act(async () => void jest.advanceTimersByTime(0));
    rerender({ q: 'new' });
    await act(async () => void jest.advanceTimersByTime(0));
    await act(async () => answers.new('new answer'));
    await act(async () => answers.old('old answer'));
    expect(result.current.data).toBe('new answer');
  });

  it('asks nothing without a question, and reports a failure in words', async () => {
    const ask = jest.fn((_: number) => Promise.reject(new Error('boom')));
    const { result, rerender } = renderHook(({ q }: { q: number | null }) => useDebouncedQuery(q, ask), {
      initialProps: { q: null as number | null },
    });
    expect(result.current.loading).toBe(false);
    expect(ask).not.toHaveBeenCalled();
    rerender({ q: 7 });
    await act(async () => void jest.advanceTimersByTime(400));
    expect(result.current.loading).toBe(false);
    expect(result.current.error).not.toBe('');
  });
});

import type { ExportFormat, ExportRunView } from '@member/shared';
import { App, Button, Progress, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, download, query } from '../api';

export interface ExportButtonsProps {
  /** The export's name on the server (GET /api/staff/exports lists them): 'members', 'purchases', … */
  source: string;
  /** The list's current filters, passed through: from / to (YYYY-MM-DD), storeCode. */
  params?: Record<string, string | undefined>;
  /** Used when the server names no file. */
  fileName?: string;
}

interface Running {
  format: ExportFormat;
  run: ExportRunView | null;
}

/**
 * 导出 CSV / 导出 Excel for any list: drop it beside a table with the table's filters. The file streams from the
 * server while this polls the export's run (GET /api/staff/exports/runs/:id) for rows done / total, so a
 * 1,000,000-row export shows how far it is even as XLSX, whose bytes say nothing about rows.
 */
export function ExportButtons({ source, params = {}, fileName = source }: ExportButtonsProps) {
  const { message } = App.useApp();
  const [running, setRunning] = useState<Running | null>(null);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  async function start(format: ExportFormat) {
    const run = crypto.randomUUID();
    setRunning({ format, run: null });
    let finished = false;
    const poll = async () => {
      while (!finished && alive.current) {
        await new Promise((resolve) => setTimeout(resolve, 700));
        // Not there yet while the server counts the rows: keep asking.
        const view = await api<ExportRunView>(`staff/exports/runs/${run}`).catch(() => null);
        if (view && !finished && alive.current) setRunning({ format, run: view });
      }
    };
    void poll();
    try {
      await download(`staff/exports/${source}${query({ ...params, format, run })}`, `${fileName}.${format}`);
      finished = true;
      // The server closes the run just after the last byte: give it a moment to say done or failed.
      let view: ExportRunView | null = null;
      for (let i = 0; i < 10 && (!view || view.status === 'running'); i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 300));
        view = await api<ExportRunView>(`staff/exports/runs/${run}`).catch(() => null);
      }
      if (!alive.current) return;
      // A file can arrive whole-looking although the server stopped part way: the run says whether it is complete.
      if (view?.status === 'failed') message.error('导出中断，文件不完整，请重试');
      else message.success(`导出完成，共 ${(view?.rowsDone ?? 0).toLocaleString('zh-CN')} 行`);
    } catch (error) {
      finished = true;
      if (alive.current) message.error(error instanceof ApiError ? error.message : '导出失败，请稍后再试');
    } finally {
      if (alive.current) setRunning(null);
    }
  }

  const run = running?.run;
  const percent = run && run.rowsTotal > 0 ? Math.floor((run.rowsDone / run.rowsTotal) * 100) : 0;
  return (
    <Space className='export-buttons' data-source={source} align='center'>
      <Button id={`export-${source}-csv`} onClick={() => void start('csv')} disabled={running !== null} loading={running?.format === 'csv'}>
        导出 CSV
      </Button>
      <Button
        id={`export-${source}-xlsx`}
        onClick={() => void start('xlsx')}
        disabled={running !== null}
        loading={running?.format === 'xlsx'}
      >
        导出 Excel
      </Button>
      {running && (
        <Space className='export-progress' style={{ minWidth: 260 }}>
          <Progress percent={percent} size='small' style={{ width: 140, margin: 0 }} status='active' />
          <Typography.Text type='secondary'>
            {run ? `${run.rowsDone.toLocaleString('zh-CN')} / ${run.rowsTotal.toLocaleString('zh-CN')} 行` : '准备中…'}
          </Typography.Text>
        </Space>
      )}
    </Space>
  );
}

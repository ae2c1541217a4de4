import fs from 'node:fs';
import { renderChart } from './chart';
import { type BenchReport } from './report-model';
import { renderTable } from './table';

/** Writes report.json, report.txt (the table) and chart.svg; returns the table. */
export async function writeResults(report: BenchReport): Promise<string> {
  const table = renderTable(report);
  fs.writeFileSync(report.files.json, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(report.files.table, `${table}\n`);
  fs.writeFileSync(report.files.chart, await renderChart(report));
  return table;
}

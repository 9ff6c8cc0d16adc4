// The CSV writer of the exports: RFC 4180 (quoted where needed, quotes doubled, CRLF line ends), with
// spreadsheet formula injection neutralised, streamed page by page so an export never sits whole in memory.

export type CsvValue = string | number | boolean | null | undefined;

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvValue;
}

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One cell. Text that a spreadsheet would run as a formula gets a leading `'`; numbers are written as
 * numbers and never altered (a negative amount stays `-5`, not `'-5`). Null is an empty cell.
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** A whole table as one string (small tables and tests). */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: Iterable<T>): string {
  let out = csvLine(columns.map((c) => c.header));
  for (const row of rows) out += csvLine(columns.map((c) => c.value(row)));
  return out;
}

/**
 * A CSV body that pulls `pages` as the client reads. The first page is fetched before this resolves, so a
 * failing database still answers with a proper error status; a failure on a later page (the 200 is already
 * sent) aborts the stream, which the client sees as a broken download rather than a silently short file.
 */
export async function csvStream<T>(columns: readonly CsvColumn<T>[], pages: AsyncIterator<readonly T[]>): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  const first = await pages.next();
  let pending: readonly T[] | null = first.done ? null : first.value;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text = '';
      if (!headerSent) {
        headerSent = true;
        text = csvLine(columns.map((c) => c.header));
      }
      if (pending === null && text === '') {
        const next = await pages.next();
        if (next.done) {
          controller.close();
          return;
        }
        pending = next.value;
      }
      if (pending !== null) {
        for (const row of pending) text += csvLine(columns.map((c) => c.value(row)));
        pending = null;
      }
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await pages.return?.();
    },
  });
}

import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, csvStream, toCsv, type CsvColumn } from '../../src/services/csv.ts';

describe('CSV quoting (RFC 4180)', () => {
  it('leaves plain text and numbers as they are', () => {
    expect(csvLine(['MG Road', 42, 0, null, undefined, true])).toBe('MG Road,42,0,,,true\r\n');
  });

  it('quotes fields with a comma, a quote, CR or LF, and doubles the quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('line1\r\nline2')).toBe('"line1\r\nline2"');
    expect(csvCell('"')).toBe('""""');
  });

  it('ends every record with CRLF, the header first', () => {
    const columns: CsvColumn<{ a: string; b: number }>[] = [
      { header: 'a', value: (r) => r.a },
      { header: 'b', value: (r) => r.b },
    ];
    expect(toCsv(columns, [{ a: 'x', b: 1 }, { a: 'y,z', b: 2 }])).toBe('a,b\r\nx,1\r\n"y,z",2\r\n');
  });
});

describe('formula injection', () => {
  it.each([
    ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
  ])('neutralises text starting with a formula character: %j', (text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });

  it('does not touch numbers, even negative ones, nor such characters later in the text', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(1234567)).toBe('1234567');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('2025-01-31T10:00:00.000Z')).toBe('2025-01-31T10:00:00.000Z');
  });
});

describe('csvStream', () => {
  const columns: CsvColumn<number>[] = [{ header: 'n', value: (n) => n }];

  async function* pages(...list: number[][]) {
    for (const page of list) yield page;
  }

  it('writes the header and every page in order', async () => {
    const body = await csvStream(columns, pages([1, 2], [3], [4, 5]));
    expect(await new Response(body).text()).toBe('n\r\n1\r\n2\r\n3\r\n4\r\n5\r\n');
  });

  it('writes only the header when there are no rows', async () => {
    expect(await new Response(await csvStream(columns, pages())).text()).toBe('n\r\n');
  });

  it('holds a page or two at a time, whatever the length: the next page is fetched as the reader takes one', async () => {
    let fetched = 0;
    async function* endless(): AsyncGenerator<number[]> {
      for (let page = 0; ; page++) {
        fetched += 1;
        yield Array.from({ length: 100 }, (_, i) => page * 100 + i);
      }
    }
    const reader = (await csvStream(columns, endless())).getReader();
    for (let i = 0; i < 3; i++) await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fetched).toBeLessThanOrEqual(4);
    await reader.cancel();
  });

  it('fails before answering when the first page fails', async () => {
    async function* failing(): AsyncGenerator<number[]> {
      throw new Error('database down');
    }
    await expect(csvStream(columns, failing())).rejects.toThrow('database down');
  });

  it('aborts the stream, rather than ending it short, when a later page fails', async () => {
    async function* failingLater(): AsyncGenerator<number[]> {
      yield [1];
      throw new Error('database down');
    }
    const body = await csvStream(columns, failingLater());
    await expect(new Response(body).text()).rejects.toThrow('database down');
  });
});

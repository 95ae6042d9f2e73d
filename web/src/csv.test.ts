import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from './csv';

function records(text: string) {
  const result = parseCsv(text);
  if (!result.ok) throw new Error(`line ${result.error.line}: ${result.error.message}`);
  return result.table;
}

describe('parseCsv', () => {
  it('splits fields on commas and records on LF, CRLF or CR', () => {
    expect(records('a,b\n1,2\r\n3,4\r5,6').records).toEqual([['a', 'b'], ['1', '2'], ['3', '4'], ['5', '6']]);
    expect(records('a,b\r\n1,2\r\n').records).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('keeps empty fields, including a trailing one, and does not trim', () => {
    expect(records('a,,b,\n, x ,').records).toEqual([['a', '', 'b', ''], ['', ' x ', '']]);
  });

  it('reads quoted fields: commas, line breaks and "" inside', () => {
    const table = records('name,note\n"Rack, A","say ""hi"""\n"two\r\nlines",x\nlast,""');
    expect(table.records.slice(0, 3)).toEqual([['name', 'note'], ['Rack, A', 'say "hi"'], ['two\r\nlines', 'x']]);
  });

  it('an empty quoted field is a field; a quote inside an unquoted field is a character', () => {
    expect(records('"",a\nb"c,d').records).toEqual([['', 'a'], ['b"c', 'd']]);
  });

  it('numbers each record by the line it starts on, across quoted line breaks and blank lines', () => {
    const table = records('h1,h2\n\n"a\nb",1\n\r\nc,2\n');
    expect(table.records).toEqual([['h1', 'h2'], ['a\nb', '1'], ['c', '2']]);
    expect(table.lines).toEqual([1, 3, 6]);
  });

  it('skips a byte order mark and blank lines, but not a line of blanks', () => {
    expect(records('\uFEFFname,ip\n\n\n').records).toEqual([['name', 'ip']]);
    expect(records('name\n  \n').records).toEqual([['name'], ['  ']]);
    expect(records('').records).toEqual([]);
  });

  it('refuses an unclosed quote (at the line it opened) and text after a closing quote', () => {
    expect(parseCsv('a,b\n"open,1\n2,3')).toEqual({ ok: false, error: { line: 2, message: 'a quoted field is not closed' } });
    expect(parseCsv('a\n"x"y')).toEqual({ ok: false, error: { line: 2, message: 'text after a closing quote' } });
  });

  it('reads 100,000 rows quickly', () => {
    const lines = ['name,ip,room'];
    for (let i = 0; i < 100_000; i += 1) lines.push(`host-${i},10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255},"Rack ${i % 50}"`);
    const started = performance.now();
    const table = records(lines.join('\r\n'));
    expect(table.records.length).toBe(100_001);
    expect(table.records[100_000]).toEqual(['host-99999', '10.1.134.159', 'Rack 49']);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('csvField', () => {
  it('quotes only what needs it, and round-trips', () => {
    const values = ['plain', 'a,b', 'say "hi"', 'two\nlines', ' padded', ''];
    expect(values.map(csvField)).toEqual(['plain', '"a,b"', '"say ""hi"""', '"two\nlines"', '" padded"', '']);
    expect(records(values.map(csvField).join(',')).records).toEqual([values]);
  });
});

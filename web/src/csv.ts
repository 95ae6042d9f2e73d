// CSV as RFC 4180 writes it (and spreadsheets export it), read exactly as
// gatewatch reads it (src/api/csv.cpp), so that a row the preview numbers is
// the row the server's 422 names: fields separated by commas, records by
// CRLF, LF or CR; a field that starts with a double quote runs to the closing
// quote and may hold commas, line breaks and "" for a quote (a quote inside
// an unquoted field is an ordinary character); a UTF-8 byte order mark at the
// start is skipped; blank lines are ignored. Nothing is trimmed here.

export interface CsvTable {
  records: string[][];
  lines: number[]; // the line each record starts on (1-based)
}

export interface CsvError {
  line: number;
  message: string;
}

export type CsvResult = { ok: true; table: CsvTable } | { ok: false; error: CsvError };

export function parseCsv(input: string): CsvResult {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: string[][] = [];
  const lines: number[] = [];
  let record: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let hasContent = false;
  let i = 0;
  const n = text.length;

  const endRecord = () => {
    record.push(field);
    field = '';
    const blank = record.length === 1 && record[0] === '' && !hasContent;
    if (!blank) {
      records.push(record);
      lines.push(recordLine);
    }
    record = [];
    hasContent = false;
  };

  while (i < n) {
    const c = text[i];
    if (c === '"' && field === '') {
      const opened = line;
      i += 1;
      let start = i;
      for (;;) {
        if (i >= n) return { ok: false, error: { line: opened, message: 'a quoted field is not closed' } };
        const q = text[i];
        if (q === '"') {
          field += text.slice(start, i);
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            start = i;
            continue;
          }
          i += 1;
          break;
        }
        if (q === '\n') line += 1;
        i += 1;
      }
      hasContent = true;
      if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        return { ok: false, error: { line, message: 'text after a closing quote' } };
      }
      continue;
    }
    if (c === ',') {
      record.push(field);
      field = '';
      hasContent = true;
      i += 1;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      i += 1;
      line += 1;
      recordLine = line;
      continue;
    }
    // An unquoted run up to the next separator, at once.
    let j = i + 1;
    while (j < n) {
      const d = text[j];
      if (d === ',' || d === '\n' || d === '\r') break;
      j += 1;
    }
    field += text.slice(i, j);
    hasContent = true;
    i = j;
  }
  if (field !== '' || record.length > 0 || hasContent) endRecord();
  return { ok: true, table: { records, lines } };
}

// One field as CSV writes it: quoted when it holds a comma, a quote, a line
// break or surrounding blanks.
export function csvField(value: string): string {
  return /[",\r\n]|^[ \t]|[ \t]$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

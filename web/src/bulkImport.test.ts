import { describe, expect, it } from 'vitest';
import { previewImport, rowLabel, serverIssues, type ImportIssue } from './bulkImport';
import type { Device, Room } from './types';

const rooms: Room[] = [{ id: 1, name: 'Server room', description: null }];
const devices: Device[] = [{ id: 7, name: 'gateway', ip: '192.0.2.1', room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 }];
const context = { rooms, devices };
const brief = (issues: ImportIssue[]) => issues.map((i) => `${i.row ?? '-'}:${i.field ?? '-'}`);

describe('previewImport', () => {
  it('reads each row, the defaults where a cell is empty, and the rooms it uses', () => {
    const text = 'Name, IP ,room,MONITORED,check_port,parent_ip\r\nprinter,192.0.2.10,Server room,,,\r\n"scanner, 2nd",2001:DB8::5 ,Lab,no,443,192.0.2.10\r\nap,192.0.2.11,Lab,yes,,192.0.2.1\r\n';
    const preview = previewImport(text, context);
    expect(preview.issues).toEqual([]);
    expect(preview.rows).toEqual([
      { index: 0, line: 2, name: 'printer', ip: '192.0.2.10', room: 'Server room', monitored: true, checkPort: null, parentIp: null },
      { index: 1, line: 3, name: 'scanner, 2nd', ip: '2001:DB8::5', room: 'Lab', monitored: false, checkPort: 443, parentIp: '192.0.2.10' },
      { index: 2, line: 4, name: 'ap', ip: '192.0.2.11', room: 'Lab', monitored: true, checkPort: null, parentIp: '192.0.2.1' },
    ]);
    expect(preview.newRooms).toEqual([{ name: 'Lab', devices: 2 }]);
    expect(preview.existingRooms).toEqual([{ name: 'Server room', devices: 1 }]);
  });

  it('only name and ip are needed, in any order', () => {
    const preview = previewImport('ip,name\n10.0.0.1,a\n', context);
    expect(preview.issues).toEqual([]);
    expect(preview.rows[0]).toMatchObject({ name: 'a', ip: '10.0.0.1', room: null, monitored: true });
  });

  it('finds every problem of every row, each on its cell, ordered by row', () => {
    const text = [
      'name,ip,room,monitored,check_port,parent_ip',
      ',192.0.2.20,,,,', // 0: no name
      'b,,,,,', // 1: no ip
      'c,999.1.1.1,,maybe,70000,10.9.9.9', // 2: bad ip, monitored, port; parent nowhere
      'd,192.0.2.21,,,,', // 3
      'e,192.0.2.21,,,,', // 4: same ip as row 3
      'f,192.0.2.1,,,,', // 5: taken by gateway
      'g,192.0.2.22,,,,,', // 6: a field too many
      `${'x'.repeat(101)},192.0.2.23,,,0,not-an-ip`, // 7
    ].join('\n');
    const preview = previewImport(text, context);
    expect(brief(preview.issues)).toEqual([
      '0:name', '1:ip', '2:ip', '2:monitored', '2:check_port', '2:parent_ip', '4:ip', '5:ip', '6:-', '7:name', '7:check_port', '7:parent_ip',
    ]);
    const message = (row: number, field: string | null) => preview.issues.find((i) => i.row === row && i.field === field)?.message;
    expect(message(2, 'ip')).toBe('“999.1.1.1” is not a valid IPv4 or IPv6 address.');
    expect(message(2, 'parent_ip')).toBe('No device has the address 10.9.9.9, in this file or in gatewatch.');
    expect(message(4, 'ip')).toBe('192.0.2.21 is also in row 4 (line 5).');
    expect(message(5, 'ip')).toBe('192.0.2.1 is already in use by gateway.');
    expect(message(6, null)).toBe('7 fields, where the header has 6.');
    expect(preview.issues[0].line).toBe(2);
    expect([...preview.badRows].sort((a, b) => a - b)).toEqual([0, 1, 2, 4, 5, 6, 7]);
  });

  it('a duplicate is found whatever the spelling of the address', () => {
    const preview = previewImport('name,ip\na,2001:db8::1\nb,2001:DB8:0::1\n', context);
    expect(brief(preview.issues)).toEqual(['1:ip']);
  });

  it('rows that depend on each other in a circle', () => {
    const text = 'name,ip,parent_ip\na,10.0.0.1,10.0.0.2\nb,10.0.0.2,10.0.0.1\nc,10.0.0.3,10.0.0.3\nd,10.0.0.4,10.0.0.1\n';
    expect(brief(previewImport(text, context).issues)).toEqual(['0:parent_ip', '1:parent_ip', '2:parent_ip']);
  });

  it('the header: unknown and repeated columns, a missing name or ip', () => {
    expect(previewImport('name,ip,colour,IP\n', context).issues.map((i) => i.message)).toEqual([
      'Unknown column “colour”: the columns are name, ip, room, monitored, check_port, parent_ip.',
      'The column “ip” is named twice.',
    ]);
    expect(previewImport('printer,192.0.2.10\n', context).issues.map((i) => `${i.field}: ${i.header}`)).toEqual(['printer: true', '192.0.2.10: true', 'name: true', 'ip: true']);
  });

  it('a file that is not CSV, or empty', () => {
    expect(previewImport('name,ip\n"a,10.0.0.1\n', context).issues).toEqual([{ row: null, line: 2, field: null, message: 'Not valid CSV: a quoted field is not closed.' }]);
    expect(previewImport('\n\n', context).issues[0].message).toBe('The file is empty.');
    const header = previewImport('name,ip\n', context);
    expect(header.issues).toEqual([]);
    expect(header.rows).toEqual([]);
  });
});

describe('serverIssues', () => {
  const rows = previewImport('name,ip,room\na,10.0.0.1,\nb,10.0.0.2,\n', context).rows;

  it('puts each of the server’s 422 items on its row and column, with the row’s line', () => {
    const issues = serverIssues(
      [
        { loc: ['body', 1, 'ip'], msg: 'Value error, IP address already in use' },
        { loc: ['body', 0, 'room_id'], msg: 'Value error, Room not found' },
        { loc: ['body', 0], msg: 'Value error, line 2 has 2 fields, the header 3' },
        { loc: ['body', 'header', 'colour'], msg: 'Value error, unknown column' },
        { loc: ['body'], msg: 'line 4: a quoted field is not closed' },
      ],
      rows,
    );
    expect(issues).toEqual([
      { row: 1, line: 3, field: 'ip', message: 'IP address already in use.' },
      { row: 0, line: 2, field: 'room', message: 'Room not found.' },
      { row: 0, line: 2, field: null, message: 'Line 2 has 2 fields, the header 3.' },
      { row: null, line: null, field: 'colour', header: true, message: 'Unknown column.' },
      { row: null, line: null, field: null, message: 'Line 4: a quoted field is not closed.' },
    ]);
    expect(issues.map(rowLabel)).toEqual(['Row 2 (line 3)', 'Row 1 (line 2)', 'Row 1 (line 2)', 'The file', 'The file']);
  });

  it('a row the preview does not know keeps its number', () => {
    expect(serverIssues([{ loc: ['body', 41, 'name'], msg: 'String should have at least 1 character' }], rows)).toEqual([
      { row: 41, line: null, field: 'name', message: 'String should have at least 1 character.' },
    ]);
  });
});

describe('previewImport at 100,000 rows', () => {
  it('checks them all in well under a few seconds, and finds the one bad row', () => {
    const lines = ['name,ip,room,parent_ip'];
    for (let i = 0; i < 100_000; i += 1) lines.push(`host-${i},10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255},Rack ${i % 50},${i > 0 ? '10.0.0.0' : ''}`);
    lines[50_001] = 'bad,10.0.300.1,Rack 1,';
    const started = performance.now();
    const preview = previewImport(lines.join('\n'), context);
    const took = performance.now() - started;
    expect(preview.rows.length).toBe(100_000);
    expect(brief(preview.issues)).toEqual(['50000:ip']);
    expect(preview.newRooms.length).toBe(50);
    expect(took).toBeLessThan(5000);
  });
});

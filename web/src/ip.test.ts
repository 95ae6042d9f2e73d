import { describe, expect, it } from 'vitest';
import { ipKey, isIpAddress } from './ip';

describe('ipKey', () => {
  it('accepts what inet_pton accepts', () => {
    for (const ip of ['192.0.2.1', '0.0.0.0', '255.255.255.255', '::', '::1', '2001:db8::1', 'FE80::1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::ffff:192.0.2.1', '64:ff9b::192.0.2.1', '1:2:3:4:5:6:192.0.2.1']) {
      expect(isIpAddress(ip), ip).toBe(true);
    }
  });

  it('refuses what it refuses', () => {
    for (const ip of ['', '999.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.4 ', ' 1.2.3.4', 'a.b.c.d', '1::2::3', ':1::2', '1::2:', '12345::1', '1:2:3:4:5:6:7:8::', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '[::1]', '1.2.3.4::', '::1.2.3', 'g::1', 'printer']) {
      expect(isIpAddress(ip), ip).toBe(false);
    }
  });

  it('is the same for two spellings of one address, and differs between families', () => {
    expect(ipKey('2001:DB8::1')).toBe(ipKey('2001:db8:0:0::0001'));
    expect(ipKey('::ffff:1.2.3.4')).toBe(ipKey('::ffff:102:304'));
    expect(ipKey('::ffff:1.2.3.4')).not.toBe(ipKey('1.2.3.4'));
    expect(ipKey('10.0.0.1')).toBe('4:10.0.0.1');
  });
});

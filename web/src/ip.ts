// IP address syntax as gatewatch accepts it (inet_pton: IPv4 dotted quad
// without leading zeros; IPv6 with at most one "::" and an optional IPv4
// tail; no zone, no brackets), and a key that is equal for two spellings of
// one address ("2001:DB8::1" and "2001:db8:0::1"), to find duplicates.

// Four decimal numbers 0 to 255, no leading zeros, no signs or blanks.
function ipv4Octets(text: string): number[] | null {
  const out: number[] = [];
  let value = -1;
  let digits = 0;
  for (let i = 0; i <= text.length; i += 1) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // the end closes the last number like a '.'
    if (c === 46) {
      if (digits === 0 || out.length === 4) return null;
      out.push(value);
      value = -1;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (value === 0) return null; // a leading zero
      value = (value < 0 ? 0 : value * 10) + (c - 48);
      digits += 1;
      if (value > 255) return null;
    } else {
      return null;
    }
  }
  return out.length === 4 ? out : null;
}

// The groups of one side of "::" (IPv4 allowed only as the address's end).
function ipv6Side(text: string, mayEndInIpv4: boolean): number[] | null {
  if (text === '') return [];
  const pieces = text.split(':');
  const groups: number[] = [];
  for (let k = 0; k < pieces.length; k += 1) {
    const piece = pieces[k];
    if (mayEndInIpv4 && k === pieces.length - 1 && piece.includes('.')) {
      const octets = ipv4Octets(piece);
      if (!octets) return null;
      groups.push((octets[0] << 8) | octets[1], (octets[2] << 8) | octets[3]);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return null;
    }
  }
  return groups;
}

function ipv6Groups(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  if (halves.length === 1) {
    const groups = ipv6Side(text, true);
    return groups && groups.length === 8 ? groups : null;
  }
  const left = ipv6Side(halves[0], false);
  const right = ipv6Side(halves[1], true);
  if (!left || !right || left.length + right.length > 7) return null;
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

// "4:192.0.2.1" or "6:2001:db8:0:0:0:0:0:1"; null when it is no address.
export function ipKey(text: string): string | null {
  if (text.length === 0 || text.length > 46) return null;
  const v4 = ipv4Octets(text);
  if (v4) return `4:${v4.join('.')}`;
  const v6 = ipv6Groups(text);
  return v6 ? `6:${v6.map((g) => g.toString(16)).join(':')}` : null;
}

export function isIpAddress(text: string): boolean {
  return ipKey(text) !== null;
}

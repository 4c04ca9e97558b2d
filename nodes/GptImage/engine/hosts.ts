/**
 * Which hosts a URL may point to. Callback URLs must be public (the gateway calls them from the
 * internet); result URLs come from the gateway and are fetched by n8n, so a hostile gateway must not
 * steer n8n at its own network (loopback, private ranges, cloud metadata on link-local): those are
 * refused unless the credential's own Base URL is of the same kind (a test server on loopback).
 * Only literal addresses and reserved names are judged; names are not resolved.
 */

export type HostClass = 'public' | 'loopback' | 'private' | 'linkLocal' | 'reserved';

export const HOST_CLASS_WORDS: Record<HostClass, string> = {
	public: 'a public address',
	loopback: 'a loopback address',
	private: 'a private network address',
	linkLocal: 'a link-local address',
	reserved: 'a reserved address',
};

function ipv4Class(a: number, b: number): HostClass {
	if (a === 127) return 'loopback';
	if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) {
		return 'private';
	}
	if (a === 169 && b === 254) return 'linkLocal';
	if (a === 0 || a >= 224) return 'reserved';
	return 'public';
}

/** The eight 16-bit groups of an IPv6 address as the URL parser writes it (compressed, hex). */
function ipv6Groups(host: string): number[] | undefined {
	const halves = host.split('::');
	if (halves.length > 2) return undefined;
	const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
	const head = parse(halves[0]);
	const tail = halves.length === 2 ? parse(halves[1]) : [];
	const groups = halves.length === 2 ? [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail] : head;
	return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function ipv6Class(host: string): HostClass {
	const groups = ipv6Groups(host);
	if (!groups) return 'reserved';
	const [first] = groups;
	const zeroPrefix = (count: number) => groups.slice(0, count).every((g) => g === 0);
	// IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an
	// IPv4 address in their last 32 bits: judge that one.
	const embedded =
		(zeroPrefix(5) && (groups[5] === 0xffff || (groups[5] === 0 && (groups[6] !== 0 || groups[7] > 1)))) ||
		(first === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0));
	if (embedded) return ipv4Class(groups[6] >> 8, groups[6] & 0xff);
	if (zeroPrefix(7) && groups[7] === 1) return 'loopback';
	if (zeroPrefix(8)) return 'reserved';
	if ((first & 0xfe00) === 0xfc00) return 'private';
	if ((first & 0xffc0) === 0xfe80) return 'linkLocal';
	if ((first & 0xff00) === 0xff00) return 'reserved';
	return 'public';
}

/** The kind of host a URL's hostname is, after the URL parser's own normalisation. */
export function hostClass(hostname: string): HostClass {
	// "localhost." and "LOCALHOST" are localhost; a trailing dot is the DNS root.
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.+$/, '');
	if (host.includes(':')) return ipv6Class(host);
	if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
	if (host.endsWith('.local') || host.endsWith('.internal') || host.endsWith('.home.arpa')) return 'private';
	// The WHATWG parser already turned 0x7f.1, 2130706433 and 0177.0.0.1 into dotted decimal.
	const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
	if (v4) return ipv4Class(Number(v4[1]), Number(v4[2]));
	return host === '' ? 'reserved' : 'public';
}

/** An absolute http(s) URL with a host, or undefined. */
export function parseHttpUrl(value: string): URL | undefined {
	try {
		const url = new URL(value);
		return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : undefined;
	} catch {
		return undefined;
	}
}

export function isHttpUrl(value: string): boolean {
	return parseHttpUrl(value) !== undefined;
}

/** The scheme of a URL for an error message: "data:", "file:", or the start of what was given. */
export function schemeOf(value: string): string {
	const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1];
	return scheme ? `${scheme.toLowerCase()}:` : `"${value.slice(0, 40)}"`;
}

/**
 * The hosts result files may come from: public ones, and those of the kinds the credential's own
 * Base URLs have (a gateway simulator on 127.0.0.1 serves its files from 127.0.0.1 too).
 */
export class HostPolicy {
	private readonly allowed: Set<HostClass>;

	constructor(baseUrls: string[]) {
		this.allowed = new Set<HostClass>(['public']);
		for (const base of baseUrls) {
			const url = parseHttpUrl(base);
			if (url) this.allowed.add(hostClass(url.hostname));
		}
	}

	/** Why n8n must not fetch this URL, or undefined when it may. */
	refusal(value: string): string | undefined {
		const url = parseHttpUrl(value);
		if (!url) return `${schemeOf(value)} is not an http(s) URL`;
		const kind = hostClass(url.hostname);
		if (!this.allowed.has(kind)) {
			return `${url.hostname} is ${HOST_CLASS_WORDS[kind]}, which the gateway's own Base URL is not`;
		}
		return undefined;
	}
}

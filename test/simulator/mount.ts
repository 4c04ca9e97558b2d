/** How a gateway's hosts sit on the API server: a path prefix each, matched against the request path. */
import type { GatewayHost } from './gateway';
import type { ApiCall, SimResponse } from './http';
import type { GatewayName, RequestKind } from './types';

export interface Route {
	method: 'GET' | 'POST';
	/** Matched against the path below the prefix; captures become `call.params`. */
	pattern: RegExp;
	kind: RequestKind;
	handle(call: ApiCall): SimResponse;
}

/** One host of one gateway, at its path prefix. */
export interface Mount extends GatewayHost {
	prefix: string;
	gateway: GatewayName;
}

export interface MatchedRoute {
	mount?: Mount;
	route?: Route;
	params: string[];
	/** The path below the mount's prefix. */
	subPath: string;
}

export function matchRoute(mounts: readonly Mount[], method: string, pathname: string): MatchedRoute {
	const mount = mounts.find((m) => pathname === m.prefix || pathname.startsWith(`${m.prefix}/`));
	if (!mount) return { params: [], subPath: pathname };
	const subPath = pathname.slice(mount.prefix.length) || '/';
	for (const route of mount.routes) {
		const match = route.method === method ? route.pattern.exec(subPath) : null;
		if (match) return { mount, route, params: match.slice(1).map(decodeURIComponent), subPath };
	}
	return { mount, params: [], subPath };
}

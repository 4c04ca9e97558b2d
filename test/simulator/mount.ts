/** How a gateway plugs into the API server: a path prefix, its routes and its own error forms. */
import type { ApiCall, SimResponse } from './http';
import type { GatewayName, RequestKind } from './types';

export interface Route {
	method: 'GET' | 'POST';
	/** Matched against the path below the prefix; captures become `call.params`. */
	pattern: RegExp;
	kind: RequestKind;
	handle(call: ApiCall): SimResponse;
}

export interface Mount {
	prefix: string;
	gateway: GatewayName;
	routes: Route[];
	/** The answer to a missing or wrong Bearer key. */
	unauthorized(call: ApiCall): SimResponse;
	notFound(call: ApiCall): SimResponse;
	/** The gateway's own error body for an HTTP status (what an injected status fault without a body sends). */
	httpError(status: number): SimResponse;
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

import { createServer, request as httpRequest } from 'http';
import type { IncomingHttpHeaders, Server } from 'http';
import type { AddressInfo, Socket } from 'net';

/**
 * "Another host" for the tests: an HTTP server on its own port that records what it receives and
 * passes every request on to `target` (headers as received), so it serves what the target serves.
 */
export interface RecordingProxy {
	url: string;
	port: number;
	requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders; at: number }>;
	stop(): Promise<void>;
}

export async function startProxy(target: string, port = 0): Promise<RecordingProxy> {
	const upstream = new URL(target);
	const requests: RecordingProxy['requests'] = [];
	const sockets = new Set<Socket>();
	const server: Server = createServer((req, res) => {
		requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, at: Date.now() });
		const forward = httpRequest(
			{
				host: upstream.hostname,
				port: upstream.port,
				method: req.method,
				path: req.url,
				headers: { ...req.headers, host: upstream.host },
			},
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		forward.on('error', () => res.destroy());
		req.pipe(forward);
	});
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	const bound = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${bound}`,
		port: bound,
		requests,
		stop: async () => {
			const closed = new Promise<void>((resolve) => server.close(() => resolve()));
			for (const socket of sockets) socket.destroy();
			await closed;
		},
	};
}

/** A port nothing listens on (it was free a moment ago): connecting to it is refused. */
/** A port nothing listens on now, that a test may listen on later (the OS may reuse it meanwhile). */
export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/** Port 1 (tcpmux): nothing listens there, so a connection is refused every time. */
export const REFUSING_PORT = 1;

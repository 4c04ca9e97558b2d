/**
 * GatewaySimulator: every gateway of the node's registry on 127.0.0.1, speaking the wire contracts of
 * /work/shared/providers.md and providers-gpt-image-2.md, plus a second server playing their CDNs.
 * Dev-only, never published. Each gateway is a module of its own in ./gateways/<id>/ (see gateway.ts).
 *
 *   const sim = await GatewaySimulator.start({ latencyMs: 300, gateways: { <id>: { <option>: value } } });
 *   // point a credential at sim.baseUrl(id) with key 'sk-sim-test', run the node, then:
 *   expect(sim.creates(id)).toHaveLength(1);
 *   sim.inject({ gateway: id, kind: 'poll', response: { type: 'status', status: 502 } });
 *   await sim.stop();
 *
 * Every request is logged; tests script faults, rate limits and task outcomes through prompt
 * directives: `[[latency:ms]]`, `[[fail]]`, `[[fail:<gateway code>]]`, `[[partial:k]]`. A fault can
 * pick one task's requests (`when`, e.g. by prompt or task id), and `pendingFaults()` tells whether
 * every scripted fault happened.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo, Socket } from 'net';
import { routeCdn } from './cdn';
import { FaultQueue } from './faults';
import { hostPrefix, loadGateways, mountGateways } from './gateway';
import {
	bearerKey,
	describeBody,
	htmlErrorPage,
	isRecord,
	json,
	parseMultipart,
	readBody,
	writeResponse,
	type ApiCall,
	type SimResponse,
} from './http';
import { matchRoute, type Mount } from './mount';
import { defaultOptions, mergeOptions, SimState } from './state';
import type { SimTask } from './tasks';
import type {
	Fault,
	FaultResponse,
	GatewayName,
	LoggedRequest,
	RequestKind,
	ResolvedOptions,
	SimulatorOptions,
	SimulatorStats,
} from './types';

export { noisePng } from './images';
export { crc32, decodePng, encodePng, isPng, pngSize } from './png';
export type { DecodedPng, EncodeOptions, PngFilter } from './png';
export type { SimTask, TaskFailure, TaskState } from './tasks';
export type {
	Fault,
	FaultResponse,
	GatewayName,
	GatewayOptions,
	GatewayOptionsPatch,
	ImagePayload,
	LoggedRequest,
	RequestKind,
	ResolvedOptions,
	SimulatorOptions,
	SimulatorStats,
} from './types';

/** A request classified by its path, before its body is read. */
interface Routed {
	gateway?: GatewayName;
	kind: RequestKind;
	taskId?: string;
	produce(body: unknown, multipart: ApiCall['multipart'], log: LoggedRequest): SimResponse;
	/** What an injected status fault without a body answers below 500. */
	httpError(status: number): SimResponse;
	/** What an injected envelope fault answers. */
	envelope(code: number, msg: string): SimResponse;
}

export class GatewaySimulator {
	/** Every request to both servers, in arrival order. */
	readonly requests: LoggedRequest[] = [];
	private readonly faults = new FaultQueue();
	private readonly sockets = new Set<Socket>();
	private readonly timers = new Set<NodeJS.Timeout>();
	private stopped = false;

	private constructor(
		private readonly state: SimState,
		private readonly mounts: readonly Mount[],
		private readonly servers: { api: Server; cdn: Server },
		/** The API server, http://127.0.0.1:<port>. */
		readonly url: string,
		/** The CDN server on another port: result files and uploaded files. */
		readonly cdnUrl: string,
	) {
		for (const name of ['api', 'cdn'] as const) {
			const server = servers[name];
			server.on('connection', (socket: Socket) => {
				this.sockets.add(socket);
				socket.on('close', () => this.sockets.delete(socket));
			});
			server.on('request', (req: IncomingMessage, res: ServerResponse) => {
				this.handle(name, req, res).catch(() => res.destroy());
			});
		}
	}

	static async start(options: SimulatorOptions = {}): Promise<GatewaySimulator> {
		const api = createServer();
		const cdn = createServer();
		const [gateways, url, cdnUrl] = await Promise.all([loadGateways(), listen(api), listen(cdn)]);
		const state = new SimState(mergeOptions(defaultOptions(gateways), options), cdnUrl);
		return new GatewaySimulator(state, mountGateways(gateways, state), { api, cdn }, url, cdnUrl);
	}

	/** What a credential's Base URL is set to. */
	baseUrl(gateway: GatewayName): string {
		return `${this.url}/${gateway}`;
	}

	/** The file-upload host: the gateway's separate file API where it has one, else its API host. */
	uploadBaseUrl(gateway: GatewayName): string {
		const upload = hostPrefix(gateway, 'upload');
		return `${this.url}${this.mounts.some((m) => m.prefix === upload) ? upload : hostPrefix(gateway, 'api')}`;
	}

	/** The options in force, defaults filled in. */
	get options(): ResolvedOptions {
		return this.state.options;
	}

	configure(patch: Partial<SimulatorOptions>): void {
		this.state.options = mergeOptions(this.state.options, patch);
	}

	inject(fault: Fault): void {
		this.faults.add(fault);
	}

	clearFaults(): void {
		this.faults.clear();
	}

	/** How many injected faults have not fired yet: 0 once every scripted fault happened. */
	pendingFaults(): number {
		return this.faults.size;
	}

	/** Requests to a create endpoint (the paid calls), whether or not they made a task. */
	creates(gateway?: GatewayName): LoggedRequest[] {
		return this.requestsOf('create', gateway);
	}

	requestsOf(kind: RequestKind, gateway?: GatewayName): LoggedRequest[] {
		return this.requests.filter((r) => r.kind === kind && (gateway === undefined || r.gateway === gateway));
	}

	/** A task by id; its `state` is computed at each read. */
	getTask(id: string): SimTask | undefined {
		return this.state.tasks.get(id);
	}

	/** The tasks actually created, oldest first. */
	tasks(gateway?: GatewayName): SimTask[] {
		return [...this.state.tasks.values()].filter((t) => gateway === undefined || t.gateway === gateway);
	}

	/** Hosts a file on the CDN without an upload call (e.g. an input image for an edit test); returns its URL. */
	hostFile(bytes: Buffer, fileName = 'image.png', mimeType = 'image/png'): string {
		return this.state.files.addUpload(undefined, bytes, fileName, mimeType, Date.now()).url;
	}

	stats(): SimulatorStats {
		return { ...this.state.stats };
	}

	/** Empties the request log and resets the counters of stats(); tasks and files stay. */
	clearLog(): void {
		this.requests.length = 0;
		this.state.stats = { rateLimited: 0, creates: 0, polls: 0 };
	}

	/** Closes both servers and every socket (keep-alive ones too) and cancels fault timers. */
	async stop(): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		const closed = Object.values(this.servers).map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
		for (const socket of this.sockets) socket.destroy();
		await Promise.all(closed);
	}

	private async handle(server: 'api' | 'cdn', req: IncomingMessage, res: ServerResponse): Promise<void> {
		const at = Date.now();
		const target = new URL(req.url ?? '/', 'http://simulator');
		const method = req.method ?? 'GET';
		const query = Object.fromEntries(target.searchParams);
		const routed =
			server === 'api' ? this.routeApi(method, target.pathname, query, req) : this.routeCdn(method, target.pathname, query, at);
		const entry: LoggedRequest = {
			server,
			gateway: routed.gateway,
			kind: routed.kind,
			method,
			path: target.pathname,
			query,
			headers: req.headers,
			body: undefined,
			at,
			taskId: routed.taskId,
		};
		this.requests.push(entry);
		let raw: Buffer;
		try {
			raw = await readBody(req);
		} catch {
			return; // the client went away
		}
		const multipart = parseMultipart(raw, req.headers['content-type']);
		entry.body = describeBody(raw, multipart);
		const fault = this.faults.take(entry);
		if (fault) entry.fault = fault.type;
		const produce = (): SimResponse => {
			try {
				return routed.produce(entry.body, multipart, entry);
			} catch (error) {
				// A simulator bug must show up in the test, not as a hang.
				return json(500, { error: { message: `simulator error: ${String(error)}` } });
			}
		};
		await this.respond(req, res, entry, fault, produce, routed);
	}

	private routeApi(method: string, pathname: string, query: Record<string, string>, req: IncomingMessage): Routed {
		const { mount, route, params, subPath } = matchRoute(this.mounts, method, pathname);
		const kind = route?.kind ?? 'other';
		return {
			gateway: mount?.gateway,
			kind,
			// Known before the body is read, so that a fault can pick one task's polls.
			taskId: kind === 'poll' ? (params[0] ?? query.taskId) || undefined : undefined,
			httpError: (status) => mount?.httpError(status) ?? json(status, { error: `HTTP ${status}` }),
			envelope: (code, msg) =>
				mount?.envelope?.(code, msg) ?? mount?.httpError(code) ?? json(code, { error: `HTTP ${code}` }),
			produce: (body, multipart, log) => {
				if (!mount) return { status: 404, body: 'Not Found' };
				const call: ApiCall = { method, path: subPath, query, headers: req.headers, params, body, multipart, log, now: Date.now() };
				if (!route) return mount.notFound(call);
				if (bearerKey(req.headers) !== this.state.options.apiKey) return mount.unauthorized(call);
				return route.handle(call);
			},
		};
	}

	private routeCdn(method: string, pathname: string, query: Record<string, string>, now: number): Routed {
		const route = routeCdn(this.state, method, pathname, query, now);
		return {
			gateway: route.gateway,
			taskId: route.taskId,
			kind: method === 'GET' || method === 'HEAD' ? 'download' : 'other',
			httpError: (status) => ({ status, body: `HTTP ${status}` }),
			envelope: (code) => ({ status: code, body: `HTTP ${code}` }),
			produce: () => route.answer(),
		};
	}

	private async respond(
		req: IncomingMessage,
		res: ServerResponse,
		entry: LoggedRequest,
		fault: FaultResponse | undefined,
		produce: () => SimResponse,
		routed: Routed,
	): Promise<void> {
		const send = (answer: SimResponse) => this.send(req, res, entry, answer);
		switch (fault?.type) {
			case undefined:
				return send(produce());
			case 'delay':
				await this.sleep(fault.ms);
				return send(produce());
			case 'status': {
				const body = typeof fault.body === 'function' ? (fault.body as (r: LoggedRequest) => unknown)(entry) : fault.body;
				const base =
					body !== undefined
						? { status: fault.status, body }
						: fault.status >= 500
							? htmlErrorPage(fault.status)
							: routed.httpError(fault.status);
				return send({ ...base, status: fault.status, headers: { ...base.headers, ...fault.headers } });
			}
			case 'envelope':
				return send(routed.envelope(fault.code, fault.msg));
			case 'malformed':
				return send({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"code":200,"msg":"success","data":{"ta' });
			case 'reset':
				req.socket.destroy();
				return;
			case 'stall':
				await this.sleep(fault.ms);
				req.socket.destroy();
				return;
			case 'acceptThenReset':
				produce();
				req.socket.destroy();
				return;
			case 'redirect': {
				const location = typeof fault.location === 'function' ? fault.location(entry) : fault.location;
				return send({ status: fault.status ?? 302, headers: { location }, body: '' });
			}
			case 'rewrite': {
				const answer = produce();
				return send({ ...answer, body: fault.map(answer.body, entry) });
			}
			case 'stream':
				return await this.stream(req, res, entry, fault);
		}
	}

	/** Writes a long body chunk by chunk (a huge file, or a trickle), stopping when the client goes away. */
	private async stream(
		req: IncomingMessage,
		res: ServerResponse,
		entry: LoggedRequest,
		fault: Extract<FaultResponse, { type: 'stream' }>,
	): Promise<void> {
		const head = fault.head ?? Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
		const chunkBytes = fault.chunkBytes ?? 64 * 1024;
		entry.status = 200;
		res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(fault.bytes), ...fault.headers });
		let sent = 0;
		const filler = Buffer.alloc(chunkBytes, 0x41);
		while (sent < fault.bytes && !this.stopped && !req.socket.destroyed) {
			const chunk = sent === 0 ? head.subarray(0, fault.bytes) : filler.subarray(0, Math.min(chunkBytes, fault.bytes - sent));
			sent += chunk.length;
			const flushed = res.write(chunk);
			if (fault.intervalMs) await this.sleep(fault.intervalMs);
			else if (!flushed) {
				await new Promise<void>((resolve) => {
					const done = () => {
						res.off('drain', done);
						res.off('close', done);
						resolve();
					};
					res.once('drain', done).once('close', done);
				});
			}
		}
		res.end();
	}

	private send(req: IncomingMessage, res: ServerResponse, entry: LoggedRequest, answer: SimResponse): void {
		if (this.stopped || req.socket.destroyed) return;
		entry.status = answer.status;
		const envelopeCode = isRecord(answer.body) ? answer.body.code : undefined;
		if (answer.status === 429 || (answer.status === 200 && envelopeCode === 429)) {
			this.state.stats.rateLimited++;
			entry.rateLimited = true;
		}
		writeResponse(res, answer, req.method === 'HEAD');
	}

	/** A timer stop() cancels; after stop the promise never settles, which holds nothing open. */
	private sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				resolve();
			}, ms);
			this.timers.add(timer);
		});
	}
}

function listen(server: Server): Promise<string> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
	});
}

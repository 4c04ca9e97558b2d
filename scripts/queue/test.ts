/**
 * `npm run test:queue`: the node in n8n's distributed engine. Redis and Postgres (Debian's, on
 * loopback, throwaway data), n8n 2.41.1 as a main process and two `n8n worker` processes, each
 * with the package installed the n8n way in its own user folder, sharing one encryption key and one
 * database, binary data in the database, and the gateway simulator as a process of its own.
 *
 *  1. A batch across the workers: active workflows with a production Webhook that splits the
 *     body's items and runs Generate, one per gateway; 10 requests of 20 items over them. Checks:
 *     every execution succeeded, 200 PNGs stored in Postgres with the asked pixel sizes, both
 *     workers ran executions, exactly one task created per item, the API key nowhere in the
 *     database, no warning from the node in any n8n log.
 *  2. Stop across processes: a 100-item execution of long tasks, stopped through the public API
 *     (`POST /api/v1/executions/{id}/stop`, with an API key made for the test): no request reaches
 *     the gateways later than 1 s after the stop, and the execution's error names the tasks that
 *     were created.
 *  3. Figures for the README's "Scaling out": makespan against one task's latency, each worker's
 *     peak RSS, Postgres growth per stored image, 429s on a create-limited gateway shared by two
 *     workers.
 *
 *   npm run test:queue              everything; exit code 0 only when every check passed
 *   npm run test:queue -- --keep    keep the temp folder (logs, data) even when all passed
 *
 * Everything it starts (Redis, Postgres, n8n, the simulator) runs in process groups of its own and
 * is stopped at the end, on failure, and on Ctrl-C.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { GATEWAYS as REGISTRY } from '../../nodes/GptImage/gateways';
import {
	buildAndPack,
	freePort,
	GATEWAYS,
	Harness,
	installLikeN8n,
	NODE_TYPE,
	warningsAboutUs,
	type Gateway,
	type WorkflowFile,
} from '../real-n8n/harness';
import { ensureN8n, N8N_2 } from '../real-n8n/install';
import { pngDimensions } from '../real-n8n/png';
import { seconds, stopAll, waitFor, type Background } from '../real-n8n/proc';
import { startPostgres, startRedis, type Postgres } from './services';

const WORKERS = 2;
/** Executions each worker runs at once (`n8n worker --concurrency`). */
const WORKER_CONCURRENCY = 5;
const REQUESTS = 10;
const ITEMS_PER_REQUEST = 20;
/** How long the simulator takes to finish a task. */
const TASK_LATENCY_MS = 5000;
const STOP_ITEMS = 100;
/** Sizes every gateway offers for gpt-4o-image, and the pixels they give. */
const SIZES = [
	{ size: '1:1', width: 1024, height: 1024 },
	{ size: '3:2', width: 1536, height: 1024 },
	{ size: '2:3', width: 1024, height: 1536 },
];
const GENERATE_NODE = 'GPT Image';

interface Check {
	name: string;
	ok: boolean;
	detail: string;
}

/** The parts of a simulator log entry we read. */
interface SimRequest {
	gateway?: string;
	kind: string;
	body?: unknown;
	at: number;
	status?: number;
	taskId?: string;
	rateLimited?: true;
}

/** The parts of the public API's execution we read. */
interface Execution {
	id: string;
	status: string;
	startedAt: string;
	stoppedAt?: string | null;
	workflowId: string;
	data?: {
		resultData: {
			error?: Record<string, unknown>;
			runData: Record<
				string,
				Array<{
					error?: Record<string, unknown>;
					data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, { id?: string; bytes?: number }> }>> };
				}>
			>;
		};
	};
}

/** The webhook workflow of one gateway: Webhook → Split Out (body.items) → Generate. */
function batchWorkflow(gateway: Gateway, index: number, path: string, responseMode: 'lastNode' | 'onReceived'): WorkflowFile & { id: string } {
	const position = (x: number): [number, number] => [x, 0];
	return {
		id: `gptImgQueue${index}`.padEnd(16, '0'),
		name: `Queue ${path} [${gateway.credentialName}]`,
		active: false,
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: position(0),
				webhookId: randomUUID(),
				parameters: { path, httpMethod: 'POST', responseMode, options: {} },
			},
			{
				id: randomUUID(),
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: position(220),
				parameters: { fieldToSplitOut: 'body.items', options: {} },
			},
			{
				id: randomUUID(),
				name: GENERATE_NODE,
				type: NODE_TYPE,
				typeVersion: 1,
				position: position(440),
				parameters: {
					gateway: gateway.id,
					operation: 'generate',
					model: 'gpt-4o-image',
					size: '={{ $json.size }}',
					numberOfImages: 1,
					prompt: '={{ $json.prompt }}',
					options: {},
				},
				credentials: { [gateway.credentialType]: { id: gateway.credentialId, name: gateway.credentialName } },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: GENERATE_NODE, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** Item `item` of request `request`: its prompt carries a marker the simulator's log shows. */
function marker(request: number | string, item: number): string {
	return `qb-${request}-${item}-end`;
}

/** The markers in a logged request's body. */
function markersIn(body: unknown): string[] {
	return JSON.stringify(body ?? '').match(/qb-[\w]+-\d+-end/g) ?? [];
}

/** The gateway's name as the README writes it. */
function nameOf(gateway: Gateway): string {
	return gateway.credentialName.replace(/ account$/, '');
}

/** VmHWM (peak resident set) and VmRSS of a process, in MiB. */
function memoryOf(pid: number): { peak: number; now: number } {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
	return { peak: kib('VmHWM') / 1024, now: kib('VmRSS') / 1024 };
}

class N8nApi {
	private apiKey = '';
	constructor(readonly base: string) {}

	/** The owner (no UI), then an API key with every scope, for the public API. */
	async setUp(): Promise<void> {
		const owner = await fetch(`${this.base}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email: 'queue@example.com', firstName: 'Queue', lastName: 'Test', password: 'Queue-test-1234' }),
		});
		if (!owner.ok) throw new Error(`owner setup: HTTP ${owner.status} ${await owner.text()}`);
		const cookie = owner.headers
			.getSetCookie()
			.map((c) => c.split(';')[0])
			.join('; ');
		const scopes = (await (await fetch(`${this.base}/rest/api-keys/scopes`, { headers: { cookie } })).json()) as { data: string[] };
		const created = await fetch(`${this.base}/rest/api-keys`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie },
			body: JSON.stringify({ label: 'test:queue', scopes: scopes.data, expiresAt: null }),
		});
		if (!created.ok) throw new Error(`API key: HTTP ${created.status} ${await created.text()}`);
		this.apiKey = ((await created.json()) as { data: { rawApiKey: string } }).data.rawApiKey;
	}

	async call<T>(method: string, path: string): Promise<T> {
		const response = await fetch(`${this.base}/api/v1${path}`, { method, headers: { 'X-N8N-API-KEY': this.apiKey } });
		if (!response.ok) throw new Error(`${method} /api/v1${path}: HTTP ${response.status} ${await response.text()}`);
		return (await response.json()) as T;
	}

	async executions(workflowId: string, status?: string): Promise<Execution[]> {
		const query = new URLSearchParams({ workflowId, limit: '250', ...(status ? { status } : {}) });
		return (await this.call<{ data: Execution[] }>('GET', `/executions?${query}`)).data;
	}

	async execution(id: string): Promise<Execution> {
		return await this.call<Execution>('GET', `/executions/${id}?includeData=true`);
	}
}

function table(rows: string[][]): string {
	const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
	return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

/** Tasks made per item: accepted creates (those that got a task id), by the marker in their prompt. */
function tasksPerItem(log: SimRequest[]): Map<string, number> {
	const tasks = new Map<string, number>();
	for (const r of log) if (r.kind === 'create' && r.taskId) for (const m of markersIn(r.body)) tasks.set(m, (tasks.get(m) ?? 0) + 1);
	return tasks;
}

function pathOf(flow: WorkflowFile): string {
	return flow.nodes[0].parameters.path as string;
}

/** The running setup the phases share. */
interface QueueRun {
	api: N8nApi;
	pg: Postgres;
	apiKey: string;
	batchFlows: Array<WorkflowFile & { id: string }>;
	stopFlow: WorkflowFile & { id: string };
	main: { folder: Harness; process: Background };
	workers: Array<{ folder: Harness; process: Background; rssWhenReady: number }>;
	/** The simulator's request log from entry `from` on. */
	simRequests(from?: number): Promise<SimRequest[]>;
	/** POSTs a production webhook; resolves with the answer's text, rejects unless 2xx. */
	send(path: string, body: unknown): Promise<string>;
	check(name: string, ok: boolean, detail: string): void;
	figure(name: string, value: string): void;
}

/** How many of these executions each worker ran: each logs "Worker started execution <id>". */
function perWorker(run: QueueRun, executionIds: string[]): number[] {
	return run.workers.map(
		({ folder }) =>
			[...readFileSync(join(folder.logs, 'n8n-worker.log'), 'utf8').matchAll(/Worker started execution (\d+)/g)].filter((m) =>
				executionIds.includes(m[1]),
			).length,
	);
}

/**
 * Redis, Postgres, the simulator, and n8n's main process and workers, each with its own user folder
 * (the package installed in each, the n8n way) and task-runner port; one key, one database, one
 * Redis. Everything is started with startBackground: stopAll() stops it.
 */
async function startQueueMode(
	base: string,
	log: (line: string) => void,
	check: QueueRun['check'],
	figure: QueueRun['figure'],
): Promise<QueueRun> {
	const logs = join(base, 'logs');
	const { install } = await ensureN8n(log, N8N_2);
	log(`n8n ${install.release.version} on Node ${install.nodeVersion}; everything under ${base}`);
	const tarball = await buildAndPack(base, join(logs, 'build.log'));

	const redis = await startRedis(join(base, 'redis'), join(logs, 'redis.log'), log);
	const pg = await startPostgres(join(base, 'postgres'), 'n8n', join(logs, 'postgres.log'), log);
	log(`redis 127.0.0.1:${redis.port}, postgres ${pg.version} 127.0.0.1:${pg.port}`);

	const folders = [new Harness(install, join(base, 'main'))];
	for (let i = 1; i <= WORKERS; i++) folders.push(new Harness(install, join(base, `worker-${i}`)));
	for (const folder of folders) {
		Object.assign(folder.env, {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			QUEUE_HEALTH_CHECK_ACTIVE: 'false',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_DATABASE: pg.database,
			DB_POSTGRESDB_USER: pg.user,
			DB_POSTGRESDB_PASSWORD: '',
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		});
		await installLikeN8n(tarball, folder.userFolder, { env: install.npmEnv, logFile: join(folder.logs, 'install-package.log') });
	}
	const [mainFolder, ...workerFolders] = folders;

	// A key of its own, to look for it in the database afterwards.
	const apiKey = `sk-queue-${randomBytes(12).toString('hex')}`;
	const sim = await mainFolder.startSimulator(TASK_LATENCY_MS, { apiKey });

	// The first CLI command migrates the database; workflows are activated before start.
	await mainFolder.importCredentials();
	const batchFlows = GATEWAYS.map((gateway, index) => batchWorkflow(gateway, index, `batch-${gateway.id}`, 'lastNode'));
	const stopFlow = batchWorkflow(GATEWAYS[0], GATEWAYS.length, 'stop-test', 'onReceived');
	await mainFolder.importWorkflows([...batchFlows, stopFlow], 'queue-workflows');
	for (const flow of [...batchFlows, stopFlow]) {
		await mainFolder.n8n(install.release.activate(flow.id), { logFile: join(mainFolder.logs, 'activate.log') });
	}

	const port = await freePort();
	const n8nBase = `http://127.0.0.1:${port}`;
	const started = Date.now();
	const mainProcess = mainFolder.startN8n(port);
	const workerProcesses = workerFolders.map((folder) => folder.startCommand(['worker', `--concurrency=${WORKER_CONCURRENCY}`]));
	const ready = (background: Background, file: string, text: string) =>
		waitFor(
			`"${text}" in ${file}`,
			() => {
				if (background.child.exitCode !== null) throw new Error(`${file}: exited with ${background.child.exitCode}`);
				return readFileSync(file, 'utf8').includes(text) ? true : undefined;
			},
			180000,
			500,
		);
	await Promise.all([
		ready(mainProcess, join(mainFolder.logs, 'n8n-start.log'), 'Editor is now accessible'),
		...workerProcesses.map((worker, i) => ready(worker, join(workerFolders[i].logs, 'n8n-worker.log'), 'n8n worker is now ready')),
	]);
	log(`main on ${n8nBase} and ${WORKERS} workers ready in ${seconds(started).toFixed(1)} s`);

	const api = new N8nApi(n8nBase);
	await api.setUp();
	return {
		api,
		pg,
		apiKey,
		batchFlows,
		stopFlow,
		main: { folder: mainFolder, process: mainProcess },
		workers: workerFolders.map((folder, i) => ({
			folder,
			process: workerProcesses[i],
			rssWhenReady: memoryOf(workerProcesses[i].child.pid!).now,
		})),
		simRequests: async (from = 0) => (await (await fetch(`${sim.requestsUrl}?from=${from}`)).json()) as SimRequest[],
		async send(path, body) {
			const response = await fetch(`${n8nBase}/webhook/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
			const text = await response.text();
			if (!response.ok) throw new Error(`POST /webhook/${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
			return text;
		},
		check,
		figure,
	};
}

/** One task alone, through the whole queue: the latency a batch is compared with. */
async function oneTask(run: QueueRun): Promise<void> {
	const started = Date.now();
	await run.send(pathOf(run.batchFlows[0]), { request: 'single', items: [{ prompt: `one task ${marker('single', 0)}`, size: '1:1' }] });
	run.figure('one 1-item execution through the queue', `${seconds(started).toFixed(1)} s (the simulator takes ${TASK_LATENCY_MS / 1000} s per task)`);
}

/** 1. Ten requests of twenty items over the gateways' webhooks, all at once. */
async function batchAcrossWorkers(run: QueueRun): Promise<void> {
	const { api, pg, check, figure } = run;
	const sizeBefore = Number((await pg.query(`select pg_database_size('${pg.database}')`))[0][0]);
	const logFrom = (await run.simRequests()).length;
	const requests = Array.from({ length: REQUESTS }, (_, request) => {
		const flow = run.batchFlows[request % run.batchFlows.length];
		const { size } = SIZES[Math.floor(request / run.batchFlows.length) % SIZES.length];
		const items = Array.from({ length: ITEMS_PER_REQUEST }, (_, item) => ({
			prompt: `Product ${item} of batch ${request}, studio light ${marker(request, item)}`,
			size,
		}));
		return { request, flow, size, items };
	});
	const started = Date.now();
	const answered = await Promise.allSettled(requests.map((r) => run.send(pathOf(r.flow), { request: r.request, items: r.items })));
	const makespan = seconds(started);
	const refused = answered.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
	check('every webhook request answered', refused.length === 0, refused.length ? String(refused[0].reason) : `${REQUESTS} × 200`);
	figure(`makespan, ${REQUESTS} executions × ${ITEMS_PER_REQUEST} items`, `${makespan.toFixed(1)} s`);

	const batchLog = (await run.simRequests(logFrom)).filter((r) => markersIn(r.body).some((m) => !m.startsWith('qb-single')));
	const listed = (await Promise.all(run.batchFlows.map((flow) => api.executions(flow.id)))).flat();
	const batch = (await Promise.all(listed.map((e) => api.execution(e.id)))).filter((e) => {
		const body = e.data?.resultData.runData.Webhook?.[0]?.data?.main?.[0]?.[0]?.json.body as { request?: unknown } | undefined;
		return typeof body?.request === 'number';
	});
	const failed = batch.filter((e) => e.status !== 'success');
	check(
		'every execution succeeded',
		batch.length === REQUESTS && failed.length === 0,
		`${batch.length - failed.length} of ${REQUESTS} succeeded${failed.length ? `; ${failed.map((e) => `${e.id}: ${e.status} ${JSON.stringify(e.data?.resultData.error ?? {}).slice(0, 200)}`).join('; ')}` : ''}`,
	);

	// The images: every output item's binary is a row of binary_data holding a PNG of the asked size.
	const rows = await pg.query(
		`select "fileId", octet_length(data), encode(substring(data from 1 for 24), 'hex') from binary_data where "sourceType" = 'execution'`,
	);
	const stored = new Map(rows.map(([fileId, length, head]) => [fileId, { length: Number(length), head: Buffer.from(head, 'hex') }]));
	const imageProblems: string[] = [];
	let images = 0;
	let imageBytes = 0;
	for (const execution of batch) {
		const body = execution.data!.resultData.runData.Webhook[0].data!.main![0][0].json.body as { request: number };
		const asked = SIZES.find((s) => s.size === requests[body.request].size)!;
		const items = execution.data!.resultData.runData[GENERATE_NODE]?.[0]?.data?.main?.[0] ?? [];
		if (items.length !== ITEMS_PER_REQUEST) imageProblems.push(`execution ${execution.id}: ${items.length} items`);
		for (const item of items) {
			const binary = item.binary?.data;
			const fileId = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(binary?.id ?? '')?.[0];
			const row = fileId ? stored.get(fileId) : undefined;
			const size = row ? pngDimensions(row.head) : undefined;
			if (!binary?.id?.startsWith('database')) imageProblems.push(`execution ${execution.id}: binary id ${String(binary?.id)} is not in the database`);
			else if (!row) imageProblems.push(`execution ${execution.id}: no binary_data row for ${binary.id}`);
			else if (!size || size.width !== asked.width || size.height !== asked.height) {
				imageProblems.push(`execution ${execution.id}: ${binary.id} is ${size ? `${size.width}x${size.height}` : 'not a PNG'}, asked ${asked.size}`);
			} else if (binary.bytes !== undefined && binary.bytes !== row.length) {
				imageProblems.push(`execution ${execution.id}: ${binary.id} has ${row.length} bytes, the item says ${binary.bytes}`);
			} else {
				images++;
				imageBytes += row.length;
			}
		}
	}
	check(
		`${REQUESTS * ITEMS_PER_REQUEST} images stored in Postgres with the asked pixel sizes`,
		images === REQUESTS * ITEMS_PER_REQUEST && imageProblems.length === 0,
		`${images} PNGs in binary_data${imageProblems.length ? `; ${imageProblems.slice(0, 5).join('; ')}` : ''}`,
	);
	const sizeAfter = Number((await pg.query(`select pg_database_size('${pg.database}')`))[0][0]);
	figure(
		'Postgres growth per stored image',
		`${((sizeAfter - sizeBefore) / 1024 / Math.max(1, images)).toFixed(0)} KiB (the PNG itself: ${(imageBytes / 1024 / Math.max(1, images)).toFixed(0)} KiB on average)`,
	);

	const split = perWorker(run, batch.map((e) => e.id));
	check(
		'both workers ran executions',
		split.every((n) => n > 0) && split.reduce((a, b) => a + b, 0) === batch.length,
		`executions per worker: ${split.join(' + ')}`,
	);

	const tasks = tasksPerItem(batchLog);
	const notOnce = requests.flatMap((r) => r.items.map((_, item) => marker(r.request, item))).filter((m) => tasks.get(m) !== 1);
	check(
		'exactly one task created per item',
		notOnce.length === 0,
		notOnce.length
			? `${notOnce.length} items not created exactly once, e.g. ${notOnce.slice(0, 3).map((m) => `${m}: ${tasks.get(m) ?? 0}`).join(', ')}`
			: `${tasks.size} items, one task each`,
	);

	for (const [index, gateway] of GATEWAYS.entries()) {
		const mine = batch.filter((e) => e.workflowId === run.batchFlows[index].id);
		const durations = mine.map((e) => (Date.parse(e.stoppedAt ?? '') - Date.parse(e.startedAt)) / 1000).sort((a, b) => a - b);
		const creates = batchLog.filter((r) => r.gateway === gateway.id && r.kind === 'create');
		figure(
			`${nameOf(gateway)} executions`,
			`${durations.map((d) => d.toFixed(1)).join(', ')} s (per worker: ${perWorker(run, mine.map((e) => e.id)).join(' + ')}; ${creates.filter((r) => r.rateLimited).length} of ${creates.length} create requests answered 429)`,
		);
	}
}

/**
 * 1b. A create limit per account, shared by the workers: as many executions at once as the workers
 * can hold, so that each worker runs some, with items enough for each worker to fill the window
 * alone. Each process spaces its own creates; the account counts them all.
 */
async function createLimitAcrossWorkers(run: QueueRun): Promise<void> {
	for (const [index, gateway] of GATEWAYS.entries()) {
		const window = REGISTRY[gateway.id].capabilities.createsPerWindow;
		if (!window) continue;
		const flow = run.batchFlows[index];
		const atOnce = WORKERS * WORKER_CONCURRENCY;
		const items = Math.ceil((WORKERS * window.count) / atOnce);
		const markers = Array.from({ length: atOnce }, (_, r) => Array.from({ length: items }, (_, i) => marker(`limit${r}`, i)));
		const before = new Set((await run.api.executions(flow.id)).map((e) => e.id));
		const from = (await run.simRequests()).length;
		const started = Date.now();
		const sent = await Promise.allSettled(
			markers.map((mine, r) => run.send(pathOf(flow), { request: `limit${r}`, items: mine.map((m) => ({ prompt: `Limit test ${m}`, size: '1:1' })) })),
		);
		const took = seconds(started);
		const phase = (await run.api.executions(flow.id)).filter((e) => !before.has(e.id));
		const creates = (await run.simRequests(from)).filter((r) => r.gateway === gateway.id && r.kind === 'create');
		const tasks = tasksPerItem(creates);
		const wrong = markers.flat().filter((m) => tasks.get(m) !== 1);
		const split = perWorker(run, phase.map((e) => e.id));
		const succeeded = phase.filter((e) => e.status === 'success').length;
		run.check(
			`${nameOf(gateway)}, ${WORKERS} workers on one key: every item one task`,
			sent.every((a) => a.status === 'fulfilled') && succeeded === atOnce && wrong.length === 0 && split.every((n) => n > 0),
			`${succeeded} of ${atOnce} executions succeeded, per worker ${split.join(' + ')}; ${wrong.length} items without exactly one task`,
		);
		const floor = (Math.ceil((atOnce * items) / window.count) - 1) * (window.windowMs / 1000) + TASK_LATENCY_MS / 1000;
		run.figure(
			`${nameOf(gateway)}: ${atOnce} executions × ${items} items at once, ${WORKERS} workers on one key (${window.count} creates per ${window.windowMs / 1000} s)`,
			`${creates.filter((r) => r.rateLimited).length} of ${creates.length} create requests answered 429 (each retried); all done in ${took.toFixed(1)} s, the limit alone allows ${floor.toFixed(0)} s`,
		);
	}
}

/** The API key: nowhere in the database (credentials are stored encrypted). */
async function keyNowhereInTheDatabase(run: QueueRun): Promise<void> {
	const { pg, apiKey } = run;
	const tables = (
		await pg.query(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)
	).map((r) => r[0]);
	const leaks: string[] = [];
	for (const name of tables) {
		const [[n]] = await pg.query(`select count(*) from "${name}" t where t::text like '%${apiKey}%'`);
		if (Number(n) > 0) leaks.push(`${name} (${n} rows)`);
	}
	const [[inBinary]] = await pg.query(`select count(*) from binary_data where position(convert_to('${apiKey}', 'UTF8') in data) > 0`);
	if (Number(inBinary) > 0) leaks.push(`binary_data bytes (${inBinary} rows)`);
	run.check('the API key is nowhere in the database', leaks.length === 0, leaks.length ? `found in ${leaks.join(', ')}` : `${tables.length} tables searched`);
}

/** 2. A 100-item execution of long tasks, stopped through the public API while it polls. */
async function stopAcrossProcesses(run: QueueRun): Promise<void> {
	const { api, check, figure } = run;
	const from = (await run.simRequests()).length;
	const items = Array.from({ length: STOP_ITEMS }, (_, item) => ({ prompt: `[[latency:600000]] long task ${marker('stop', item)}`, size: '1:1' }));
	await run.send(pathOf(run.stopFlow), { request: 'stop', items });
	const running = await waitFor('the stop test execution to run', async () => (await api.executions(run.stopFlow.id, 'running'))[0], 60000, 500);
	await waitFor(
		'the stop test tasks to be created and polled',
		async () => {
			const log = await run.simRequests(from);
			return log.filter((r) => r.kind === 'create' && r.taskId).length >= STOP_ITEMS && log.some((r) => r.kind === 'poll') ? true : undefined;
		},
		60000,
		500,
	);
	await new Promise((resolve) => setTimeout(resolve, 1000));
	const started = Date.now();
	await api.call('POST', `/executions/${running.id}/stop`);
	const stoppedAt = Date.now();
	figure('public API stop answered in', `${stoppedAt - started} ms`);
	// Longer than the longest pause between two status reads (10 s), so a poll loop left running shows.
	await new Promise((resolve) => setTimeout(resolve, 12_000));
	const log = await run.simRequests(from);
	const late = log.filter((r) => r.at > stoppedAt + 1000);
	const lastRequest = Math.max(...log.map((r) => r.at));
	check(
		'no gateway request later than 1 s after the stop',
		late.length === 0,
		late.length
			? `${late.length} requests, the last ${((lastRequest - stoppedAt) / 1000).toFixed(1)} s after`
			: `the last one ${lastRequest - stoppedAt} ms after the stop answered`,
	);
	const stopped = await waitFor(
		'the stopped execution to be saved',
		async () => {
			const execution = await api.execution(running.id);
			return execution.status !== 'running' ? execution : undefined;
		},
		30000,
		500,
	);
	const createdIds = [...new Set(log.filter((r) => r.kind === 'create' && r.taskId).map((r) => r.taskId!))];
	const errors = JSON.stringify([
		stopped.data?.resultData.error ?? null,
		...(stopped.data?.resultData.runData[GENERATE_NODE] ?? []).map((nodeRun) => nodeRun.error ?? null),
	]);
	const unnamed = createdIds.filter((id) => !errors.includes(id));
	check(
		"the stopped execution's error names the created tasks",
		createdIds.length > 0 && unnamed.length === 0,
		`status ${stopped.status}; ${createdIds.length - unnamed.length} of ${createdIds.length} created tasks named; error: ${errors.slice(0, 300)}`,
	);
}

/** 3. Each worker's memory, and what the n8n processes printed. */
function memoryAndWarnings(run: QueueRun): void {
	run.workers.forEach(({ process: worker, rssWhenReady }, i) => {
		run.figure(`worker ${i + 1} RSS`, `${rssWhenReady.toFixed(0)} MiB when ready, peak ${memoryOf(worker.child.pid!).peak.toFixed(0)} MiB`);
	});
	const outputs = [join(run.main.folder.logs, 'n8n-start.log'), ...run.workers.map(({ folder }) => join(folder.logs, 'n8n-worker.log'))];
	const warnings = outputs.flatMap((file) => warningsAboutUs(readFileSync(file, 'utf8')).map((w) => `${file}: ${w}`));
	run.check('no warning from the node in the n8n logs', warnings.length === 0, warnings.length ? warnings.slice(0, 3).join('\n') : `${outputs.length} logs read`);
}

async function main(): Promise<number> {
	const keep = process.argv.includes('--keep');
	const log = (line: string) => console.log(line);
	const startedAll = Date.now();
	const checks: Check[] = [];
	const check = (name: string, ok: boolean, detail: string) => {
		checks.push({ name, ok, detail });
		log(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
	};
	const figures: string[][] = [['figure', 'value']];
	const figure = (name: string, value: string) => {
		figures.push([name, value]);
		log(`      ${name}: ${value}`);
	};

	const base = mkdtempSync(join(tmpdir(), 'gpt-image-queue-'));
	mkdirSync(join(base, 'logs'));
	let broken = true;
	try {
		const run = await startQueueMode(base, log, check, figure);
		await oneTask(run);
		await batchAcrossWorkers(run);
		await createLimitAcrossWorkers(run);
		await keyNowhereInTheDatabase(run);
		await stopAcrossProcesses(run);
		memoryAndWarnings(run);
		broken = false;
	} catch (error) {
		check('the run itself', false, error instanceof Error ? error.message : String(error));
	} finally {
		await stopAll();
		const kept = keep || broken || checks.some((c) => !c.ok);
		if (kept) log(`kept ${base} (logs/, main/logs/, worker-*/logs/)`);
		else rmSync(base, { recursive: true, force: true });
	}

	console.log(`\nFigures (n8n ${N8N_2.version}, ${WORKERS} workers × concurrency ${WORKER_CONCURRENCY}, simulator at ${TASK_LATENCY_MS / 1000} s per task)`);
	console.log(table(figures));
	console.log('\nChecks');
	console.log(table([['result', 'check'], ...checks.map((c) => [c.ok ? 'PASS' : 'FAIL', c.name])]));
	const failed = checks.filter((c) => !c.ok);
	console.log(`\n${checks.length - failed.length} passed, ${failed.length} failed (${seconds(startedAll).toFixed(0)} s)`);
	return failed.length === 0 ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	},
);

/**
 * The gateway simulator as a process of its own, for a real n8n to talk to:
 *
 *   node .build/scripts/simulator.js [latencyMs] [options as JSON]
 *
 * e.g. `'{"gateways":{"kieAi":{"messageKey":"message"}}}'` to serve one of the documented wire variants
 * (SimulatorOptions; also from SIM_OPTIONS). An option the simulator does not know stops it at once.
 *
 * Listens on 127.0.0.1 (free ports), prints ONE JSON line with its URLs and stays up until SIGTERM
 * or SIGINT:
 *
 *   {"url":"http://127.0.0.1:4100","cdnUrl":"…","apiKey":"sk-sim-test","latencyMs":1000,
 *    "requestsUrl":"http://127.0.0.1:4102/requests",
 *    "gateways":{"<id>":{"baseUrl":"…/<id>","uploadBaseUrl":"…"},…}}
 *
 * with one entry per gateway of the node's registry, by its id. `GET <requestsUrl>?from=<n>`
 * answers its request log from entry n on (binary bodies as their length), for tests in another
 * process.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { GATEWAYS } from '../nodes/GptImage/gateways';
import { GatewaySimulator, type SimulatorOptions } from '../test/simulator';

/** Bytes are logged as their count: the log is about requests, not images. */
function withoutBytes(_key: string, value: unknown): unknown {
	if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
		return { bytes: ((value as { data?: unknown[] }).data ?? []).length };
	}
	return value;
}

async function main(): Promise<void> {
	const latencyMs = Number(process.argv[2] ?? process.env.SIM_LATENCY_MS ?? 1000);
	const options = JSON.parse(process.argv[3] ?? process.env.SIM_OPTIONS ?? '{}') as SimulatorOptions;
	const sim = await GatewaySimulator.start({ ...options, latencyMs });
	const gateways = Object.fromEntries(
		Object.values(GATEWAYS).map(({ id }) => [id, { baseUrl: sim.baseUrl(id), uploadBaseUrl: sim.uploadBaseUrl(id) }]),
	);
	const log = createServer((req, res) => {
		const from = Number(new URL(req.url ?? '/', 'http://localhost').searchParams.get('from') ?? 0);
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify(sim.requests.slice(from), withoutBytes));
	});
	await new Promise<void>((resolve) => log.listen(0, '127.0.0.1', resolve));
	const requestsUrl = `http://127.0.0.1:${(log.address() as AddressInfo).port}/requests`;
	process.stdout.write(
		`${JSON.stringify({ url: sim.url, cdnUrl: sim.cdnUrl, apiKey: sim.options.apiKey, latencyMs, requestsUrl, gateways })}\n`,
	);
	const shutdown = () => {
		log.close();
		sim.stop().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGTERM', shutdown);
	process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});

/**
 * The gateway simulator on a worker thread (or in a process of its own). In the bench's own thread its work (rendering result
 * PNGs, ~50 ms each for 1024x1024, parsing requests) would block the event loop the node runs on
 * and show up as the node's latency; real gateways run elsewhere. Driven by simHost.ts.
 */
import { parentPort } from 'worker_threads';

import { GatewaySimulator, noisePng } from '../../test/simulator';
import type { GatewayName, SimulatorOptions } from '../../test/simulator';
import type { HostReply, HostRequest, SimSnapshot, SimUrls } from './simHost';
import { GATEWAYS } from '../../nodes/GptImage/gateways';

const GATEWAY_NAMES: GatewayName[] = Object.values(GATEWAYS).map((gateway) => gateway.id);

/** Simulators by name: parallel runs each get their own (own key, own rate limits, own log). */
const sims = new Map<string, GatewaySimulator>();

async function handle(request: HostRequest): Promise<unknown> {
	const sim = sims.get(request.sim);
	switch (request.type) {
		case 'start': {
			await sim?.stop();
			const started = await GatewaySimulator.start(request.options as SimulatorOptions);
			sims.set(request.sim, started);
			const urls: SimUrls = {
				baseUrl: Object.fromEntries(GATEWAY_NAMES.map((g) => [g, started.baseUrl(g)])) as Record<GatewayName, string>,
				uploadBaseUrl: Object.fromEntries(GATEWAY_NAMES.map((g) => [g, started.uploadBaseUrl(g)])) as Record<GatewayName, string>,
			};
			return urls;
		}
		case 'prerenderNoise':
			return noisePng(request.width, request.height, request.index).length;
		case 'snapshot': {
			if (!sim) throw new Error('no simulator running');
			const snapshot: SimSnapshot = {
				requests: sim.requests.map((r) => ({
					server: r.server,
					gateway: r.gateway,
					kind: r.kind,
					at: r.at,
					status: r.status,
					taskId: r.taskId,
					rateLimited: r.rateLimited,
					fault: r.fault,
				})),
				tasks: sim.tasks().map((t) => ({ id: t.id, gateway: t.gateway, createdAt: t.createdAt, doneAt: t.doneAt, failed: t.failure !== undefined })),
				stats: sim.stats(),
				options: { kieCreatesPer10s: sim.options.gateways.kieAi.rateLimits.createsPer10s },
			};
			return snapshot;
		}
		case 'stop':
			await sim?.stop();
			sims.delete(request.sim);
			return null;
	}
}

// A worker thread talks through parentPort, a forked process through process.send.
const reply = (message: HostReply) => (parentPort ? parentPort.postMessage(message) : process.send!(message));
const onRequest = (request: HostRequest) => {
	handle(request).then(
		(result) => reply({ id: request.id, result }),
		(error: unknown) => reply({ id: request.id, error: String(error) }),
	);
};
if (parentPort) parentPort.on('message', onRequest);
else process.on('message', onRequest);

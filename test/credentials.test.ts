import { testCredentials } from './engine/credentialTest';
import { GatewaySimulator } from './simulator';
import { runWorkflow } from './engine/runWorkflow';
import { GATEWAYS, simulatorCredentials, workflowOf } from './support';

/** Each credential's test request, run the way n8n's credential tester runs it, against the simulator. */

let sim: GatewaySimulator;

beforeAll(async () => {
	sim = await GatewaySimulator.start();
});
afterAll(async () => await sim.stop());
beforeEach(() => sim.clearLog());

describe.each(GATEWAYS)('$credential', ({ credential, id }) => {
	test('a valid key passes with a free request', async () => {
		const result = await testCredentials(credential, simulatorCredentials(sim)[credential]);
		expect(result).toMatchObject({ status: 'OK' });
		expect(sim.requestsOf('credit', id)).toHaveLength(1);
		expect(sim.creates()).toHaveLength(0);
	});

	test('a wrong key fails, because the gateway refused it', async () => {
		const result = await testCredentials(credential, simulatorCredentials(sim, 'sk-wrong')[credential]);
		expect(result.status).toBe('Error');
		// The gateway was asked, with that key, and said no: not a dead server or a wrong URL.
		const asked = sim.requestsOf('credit', id);
		expect(asked.length).toBeGreaterThanOrEqual(1);
		expect(asked.map((request) => request.headers.authorization)).toEqual(asked.map(() => 'Bearer sk-wrong'));
		expect(result.message).toMatch(/not valid|Authorization failed/);
	});

	test('a Base URL as OpenAI-style docs write it (with /v1, or /api/v1 on Kie.ai) works, for the test and the node', async () => {
		const data = simulatorCredentials(sim)[credential];
		const suffix = id === 'kieAi' ? '/api/v1' : '/v1';
		const result = await testCredentials(credential, { ...data, baseUrl: `${String(data.baseUrl)}${suffix}/` });
		expect(result).toMatchObject({ status: 'OK' });
		expect(sim.requestsOf('credit', id)).toHaveLength(1);

		const credentials = { ...simulatorCredentials(sim), [credential]: { ...data, baseUrl: `${String(data.baseUrl)}${suffix}` } };
		const run = await runWorkflow({
			workflow: workflowOf([{ gateway: id, parameters: { operation: 'getBalance' } }]),
			credentials,
		});
		expect(run.error).toBeUndefined();
		expect(sim.requestsOf('credit', id)).toHaveLength(2);
	});

	test('a Base URL with a trailing slash works', async () => {
		const data = simulatorCredentials(sim)[credential];
		const result = await testCredentials(credential, { ...data, baseUrl: `${String(data.baseUrl)}/` });
		expect(result).toMatchObject({ status: 'OK' });
	});
});

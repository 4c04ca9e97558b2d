import type { Operation } from './types';

/** The account's balance on the selected gateway: a free read, e.g. before a large batch. */
export const getBalance: Operation<undefined> = {
	name: 'Get Balance',
	value: 'getBalance',
	description: "Read the credit balance of the gateway account the credential belongs to",
	action: 'Get the account balance',
	properties: [],
	async prepare() {
		return undefined;
	},
	async execute(run) {
		const { client, gateway, job } = run;
		const balance = await client.readBalance({ itemIndex: job.itemIndex, signal: job.signal, action: 'reading the balance' });
		return [{ json: { gateway: gateway.id, ...balance, checkedAt: new Date().toISOString() } }];
	},
};

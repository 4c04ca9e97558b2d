/**
 * Cases that run in a child process of their own: a process that has already run many workflows
 * keeps freed pages resident, and new allocations reuse them without raising RSS, so "peak −
 * baseline" there says little (it came out anywhere from 3 to 61 MiB for the same run); its CPU
 * time also mixes with every earlier run's garbage collection. A fresh process measures one run.
 */
import { fork } from 'child_process';

export const CHILD_CASE_FLAG = '--child-case';

/** Runs `script` (the compiled bench) as a child that runs case `name` and reports its result. */
export async function runInChild<T>(script: string, name: string): Promise<T> {
	return await new Promise<T>((resolve, reject) => {
		const child = fork(script, [CHILD_CASE_FLAG, name], { stdio: 'inherit' });
		let result: { value: T } | undefined;
		child.on('message', (message) => (result = { value: message as T }));
		child.on('error', reject);
		child.on('exit', (code) =>
			result ? resolve(result.value) : reject(new Error(`the ${name} case process ended with code ${code} and no result`)),
		);
	});
}

/** The child's side: run the case named on the command line, send its result, end. */
export async function childMain(cases: Record<string, () => Promise<unknown>>): Promise<void> {
	const name = process.argv[process.argv.indexOf(CHILD_CASE_FLAG) + 1];
	const run = cases[name];
	if (!run) throw new Error(`no bench case ${name}`);
	const result = await run();
	await new Promise<void>((resolve, reject) => process.send!(result, (error: Error | null) => (error ? reject(error) : resolve())));
}

/** Child processes for the real-n8n scripts: run to completion, or keep running and stop by pid. */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';

export function seconds(since: number): number {
	return (Date.now() - since) / 1000;
}

export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	/** stdout and stderr are appended here as well. */
	logFile?: string;
	/** Resolve with the exit code instead of rejecting when it is not 0. */
	allowFailure?: boolean;
	timeoutMs?: number;
}

export interface RunResult {
	code: number;
	stdout: string;
	stderr: string;
}

/** Runs a command to its end; rejects on a non-zero exit (with the output's tail) unless allowFailure. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		const log = (chunk: Buffer) => {
			if (options.logFile) appendFileSync(options.logFile, chunk);
		};
		child.stdout!.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
			log(chunk);
		});
		child.stderr!.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
			log(chunk);
		});
		const timer = options.timeoutMs
			? setTimeout(() => {
					stderr += `\n[killed after ${options.timeoutMs} ms]`;
					child.kill('SIGTERM');
				}, options.timeoutMs)
			: undefined;
		child.on('error', (error) => {
			if (timer) clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			if (timer) clearTimeout(timer);
			const result = { code: code ?? (signal ? 128 : 1), stdout, stderr };
			if (result.code !== 0 && !options.allowFailure) {
				const tail = (stdout + stderr).trim().split('\n').slice(-25).join('\n');
				reject(new Error(`${command} ${args.join(' ')} exited with ${result.code}\n${tail}`));
			} else {
				resolve(result);
			}
		});
	});
}

/** A long-running process (and everything it starts) whose output goes to a log file. */
export interface Background {
	child: ChildProcess;
	/**
	 * `signal` (default SIGTERM) to its whole process group, then SIGKILL to the group if it has
	 * not exited after `graceMs`; resolves when it has exited.
	 */
	stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>;
}

/** Every background process still running, so that nothing outlives the script. */
const running = new Set<Background>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	try {
		process.kill(-child.pid!, signal);
	} catch {
		// The group is gone already.
	}
}

/**
 * Stops every background process when the script ends in any way: SIGINT or SIGTERM stop them
 * gracefully (then exit), and at exit whatever is left is killed (an exit cannot wait).
 */
let stoppingAtExit = false;
function stopAllAtExit(): void {
	if (stoppingAtExit) return;
	stoppingAtExit = true;
	const onSignal = (signal: NodeJS.Signals) => {
		void stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
	};
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	process.once('exit', () => {
		for (const background of running) killGroup(background.child, 'SIGKILL');
	});
}

/** Stops every background process this script started and has not stopped yet. */
export async function stopAll(): Promise<void> {
	await Promise.all([...running].map((background) => background.stop()));
}

/**
 * Starts a long-running command in a process group of its own, so that stopping it also stops
 * what it started (n8n's task runners, Postgres's backends), with its output in `logFile`.
 */
export function startBackground(
	command: string,
	args: string[],
	options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; stdout?: 'pipe' | 'log' },
): Background {
	stopAllAtExit();
	const fd = openSync(options.logFile, 'a');
	const child = spawn(command, args, {
		cwd: options.cwd,
		env: options.env ?? process.env,
		stdio: ['ignore', options.stdout === 'pipe' ? 'pipe' : fd, fd],
		detached: true,
	});
	closeSync(fd);
	const exited = new Promise<void>((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) resolve();
		else child.once('exit', () => resolve());
	});
	const background: Background = {
		child,
		async stop(graceMs = 15000, signal = 'SIGTERM') {
			if (child.exitCode === null && child.signalCode === null) {
				killGroup(child, signal);
				const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
				await exited;
				clearTimeout(timer);
			}
			// What the leader started and left behind goes with it.
			killGroup(child, 'SIGKILL');
			running.delete(background);
		},
	};
	running.add(background);
	return background;
}

/** Polls `check` every `everyMs` until it returns a value, or throws after `timeoutMs`. */
export async function waitFor<T>(
	what: string,
	check: () => Promise<T | undefined> | T | undefined,
	timeoutMs: number,
	everyMs = 250,
): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}

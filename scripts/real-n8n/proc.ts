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

/** A long-running process whose output goes to a log file. */
export interface Background {
	child: ChildProcess;
	/** SIGTERM by pid, then SIGKILL if it has not exited after `graceMs`. */
	stop(graceMs?: number): Promise<void>;
}

export function startBackground(
	command: string,
	args: string[],
	options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; stdout?: 'pipe' | 'log' },
): Background {
	const fd = openSync(options.logFile, 'a');
	const child = spawn(command, args, {
		cwd: options.cwd,
		env: options.env ?? process.env,
		stdio: ['ignore', options.stdout === 'pipe' ? 'pipe' : fd, fd],
	});
	closeSync(fd);
	const exited = new Promise<void>((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) resolve();
		else child.once('exit', () => resolve());
	});
	return {
		child,
		async stop(graceMs = 15000) {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
			await exited;
			clearTimeout(timer);
		},
	};
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

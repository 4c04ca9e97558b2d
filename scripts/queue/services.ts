/**
 * Redis and Postgres for n8n's queue mode, from Debian's packages: each on 127.0.0.1 on a free port
 * with a throwaway data folder, as a process of ours (stopped with the script, see proc.ts).
 * Missing packages are installed with apt-get (CI runs as root), and the script says so.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';

import { freePort } from '../real-n8n/harness';
import { run, startBackground, waitFor, type Background } from '../real-n8n/proc';

const isRoot = process.getuid?.() === 0;

async function commandExists(command: string): Promise<boolean> {
	return (await run('sh', ['-c', `command -v ${command}`], { allowFailure: true })).code === 0;
}

/**
 * Installs Debian packages with apt-get when `present()` says they are missing, saying so;
 * refreshes the package lists first only if the install fails without them.
 */
export async function ensureDebianPackages(
	packages: string[],
	present: () => Promise<boolean> | boolean,
	log: (line: string) => void,
	logFile: string,
): Promise<void> {
	if (await present()) return;
	if (!isRoot) throw new Error(`${packages.join(' ')} missing: sudo apt-get install -y ${packages.join(' ')}`);
	log(`installing ${packages.join(' ')} with apt-get (missing)`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const install = ['install', '-y', '--no-install-recommends', ...packages];
	const first = await run('apt-get', install, { env, logFile, allowFailure: true });
	if (first.code !== 0) {
		await run('apt-get', ['update'], { env, logFile });
		await run('apt-get', install, { env, logFile });
	}
	if (!(await present())) throw new Error(`apt-get installed ${packages.join(' ')}, but it is still missing`);
}

export interface Service {
	port: number;
	process: Background;
	stop(): Promise<void>;
}

/** redis-server on 127.0.0.1:<free port>, nothing saved to disk. */
export async function startRedis(dir: string, logFile: string, log: (line: string) => void): Promise<Service> {
	await ensureDebianPackages(['redis-server'], () => commandExists('redis-server'), log, logFile);
	mkdirSync(dir, { recursive: true });
	const port = await freePort();
	const redis = startBackground(
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
		{ logFile },
	);
	await waitFor(
		'redis-server',
		async () => {
			if (redis.child.exitCode !== null) throw new Error(`redis-server exited with ${redis.child.exitCode}; see ${logFile}`);
			const ping = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], { allowFailure: true });
			return ping.stdout.trim() === 'PONG' ? true : undefined;
		},
		20000,
	);
	return { port, process: redis, stop: () => redis.stop() };
}

/** The newest Postgres server binaries Debian installed (/usr/lib/postgresql/<major>/bin). */
function postgresBin(): string | undefined {
	const base = '/usr/lib/postgresql';
	if (!existsSync(base)) return undefined;
	const majors = readdirSync(base)
		.filter((name) => existsSync(join(base, name, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length ? join(base, majors[0], 'bin') : undefined;
}

export interface Postgres extends Service {
	/** The major version that runs. */
	version: string;
	database: string;
	user: string;
	/** Runs SQL in the database; rows as arrays of column texts. */
	query(sql: string): Promise<string[][]>;
}

/**
 * A fresh Postgres cluster in `dir` on 127.0.0.1:<free port>, trusting local connections, with
 * one database. Postgres refuses to run as root: as root it runs as the `postgres` user (its data
 * and socket folders owned by it).
 */
export async function startPostgres(
	dir: string,
	database: string,
	logFile: string,
	log: (line: string) => void,
): Promise<Postgres> {
	await ensureDebianPackages(['postgresql'], () => postgresBin() !== undefined, log, logFile);
	const bin = postgresBin()!;
	const user = 'postgres';
	const osUser = isRoot ? 'postgres' : userInfo().username;
	const asOsUser = (command: string, args: string[]): [string, string[]] =>
		isRoot ? ['runuser', ['-u', osUser, '--', command, ...args]] : [command, args];
	const data = join(dir, 'data');
	const sockets = join(dir, 'sockets');
	mkdirSync(data, { recursive: true });
	mkdirSync(sockets, { recursive: true });
	if (isRoot) {
		// The postgres user must reach its folders inside our (root-owned, private) temp folders.
		for (let folder = dir; folder !== dirname(folder); folder = dirname(folder)) {
			const { mode } = statSync(folder);
			if ((mode & 0o001) === 0) chmodSync(folder, mode | 0o011);
		}
		const { uid, gid } = await idsOf(osUser);
		for (const folder of [data, sockets]) chownSync(folder, uid, gid);
	}
	await run(...asOsUser(join(bin, 'initdb'), ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--no-sync']), {
		logFile,
	});
	const port = await freePort();
	const server = startBackground(
		...asOsUser(join(bin, 'postgres'), [
			'-D', data,
			'-p', String(port),
			'-k', sockets,
			'-c', 'listen_addresses=127.0.0.1',
			// Throwaway data: no need to survive a power cut.
			'-c', 'fsync=off',
			'-c', 'synchronous_commit=off',
			'-c', 'full_page_writes=off',
		]),
		{ logFile },
	);
	const psql = (db: string, sql: string) =>
		run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-At', '-F', '\t', '-c', sql], {
			allowFailure: true,
		});
	await waitFor(
		'postgres',
		async () => {
			if (server.child.exitCode !== null) throw new Error(`postgres exited with ${server.child.exitCode}; see ${logFile}`);
			return (await psql('postgres', 'select 1')).code === 0 ? true : undefined;
		},
		30000,
	);
	const created = await psql('postgres', `create database ${database}`);
	if (created.code !== 0) throw new Error(`create database ${database}: ${created.stderr}`);
	const version = (await psql('postgres', 'show server_version')).stdout.trim();
	return {
		port,
		version,
		database,
		user,
		process: server,
		// SIGINT is Postgres's fast shutdown (SIGTERM would wait for every client to leave).
		stop: () => server.stop(15000, 'SIGINT'),
		async query(sql) {
			const result = await psql(database, sql);
			if (result.code !== 0) throw new Error(`psql: ${result.stderr.trim()}\n${sql}`);
			return result.stdout
				.split('\n')
				.filter((line) => line !== '')
				.map((line) => line.split('\t'));
		},
	};
}

async function idsOf(user: string): Promise<{ uid: number; gid: number }> {
	const [uid, gid] = await Promise.all(
		['-u', '-g'].map(async (flag) => Number((await run('id', [flag, user])).stdout.trim())),
	);
	return { uid, gid };
}

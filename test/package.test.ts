import { execSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

/** The package is what n8n's community-package loader expects; `npm test` builds dist/ first. */

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

test('it ships no runtime dependencies and only dist/', () => {
	expect(pkg.name).toBe('n8n-nodes-gpt-image');
	expect(pkg.keywords).toContain('n8n-community-node-package');
	expect(pkg.license).toBe('MIT');
	expect(pkg.dependencies ?? {}).toEqual({});
	expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	expect(pkg.files).toEqual(['dist']);
	expect(pkg.overrides).toBeUndefined();
	for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[script]).toBeUndefined();
});

test('every node and credential the n8n field lists exists after the build, with its icons', () => {
	const files: string[] = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
	for (const file of files) expect(existsSync(join(root, file))).toBe(true);
	for (const icon of ['gptImage.svg', 'gptImage.dark.svg']) {
		expect(existsSync(join(root, 'dist', 'nodes', 'GptImage', icon))).toBe(true);
	}
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const index = require(join(root, 'index.js'));
	expect(Object.keys(index).sort()).toEqual(['EvoLinkApi', 'GptImage', 'KieAiApi', 'ToApisApi']);
});

test('the compiled node needs nothing at runtime but n8n-workflow and zod', () => {
	const sources = execSync('grep -rhoE "require\\(\\"[^\\"]+\\"\\)" dist', { cwd: root, encoding: 'utf8' });
	const modules = new Set(
		sources
			.split('\n')
			.filter(Boolean)
			.map((line) => /require\("([^"]+)"\)/.exec(line)![1])
			.filter((name) => !name.startsWith('.')),
	);
	expect([...modules].sort()).toEqual(['n8n-workflow', 'zod']);
});

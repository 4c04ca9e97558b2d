import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

import * as ts from 'typescript';

import { GptImage } from '../nodes/GptImage/GptImage.node';
import { GATEWAYS } from '../nodes/GptImage/gateways';
import type { ModelSpec, TaskRequest } from '../nodes/GptImage/gateways/types';

/**
 * The shape that makes a new gateway cheap (issue 10): everything the node knows about a gateway
 * lives in its folder under nodes/GptImage/gateways, the operations and the engine name none, and
 * the registry is the only list of gateways in the repository.
 */

const ROOT = join(__dirname, '..');
const NODE = join(ROOT, 'nodes', 'GptImage');
const gateways = Object.values(GATEWAYS);
const ids = gateways.map((gateway) => gateway.id);

function filesUnder(folder: string, keep: (path: string) => boolean): string[] {
	return readdirSync(folder).flatMap((name) => {
		const path = join(folder, name);
		if (name === 'node_modules' || name.startsWith('.')) return [];
		return statSync(path).isDirectory() ? filesUnder(path, keep) : keep(path) ? [path] : [];
	});
}

const isTs = (path: string) => path.endsWith('.ts');
const inGatewayFolders = (path: string) => relative(NODE, path).split(sep)[0] === 'gateways';

/** The string literals and property names of a TypeScript file. */
function literalsOf(path: string): Set<string> {
	const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
	const found = new Set<string>();
	const visit = (node: ts.Node) => {
		if (ts.isStringLiteralLike(node)) found.add(node.text);
		if ((ts.isPropertyAssignment(node) || ts.isPropertySignature(node)) && ts.isIdentifier(node.name)) found.add(node.name.text);
		if (ts.isPropertyAccessExpression(node)) found.add(node.name.text);
		ts.forEachChild(node, visit);
	};
	visit(source);
	return found;
}

/** Every field name a gateway's create bodies use, found by building a body for every model. */
function wireFieldNames(): Set<string> {
	const names = new Set<string>();
	const collect = (value: unknown) => {
		if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
			for (const [key, entry] of Object.entries(value)) {
				names.add(key);
				collect(entry);
			}
		}
	};
	for (const gateway of gateways) {
		for (const model of gateway.models as ModelSpec[]) {
			const values = Object.fromEntries(model.options.map((option) => [option.key, option.default]));
			const request: TaskRequest = {
				model,
				prompt: 'p',
				values,
				imageCount: 1,
				referenceUrls: ['https://example.com/a.png'],
				maskUrl: model.mask ? 'https://example.com/m.png' : undefined,
				callbackUrl: gateway.capabilities.callback === 'none' ? undefined : 'https://example.com/hook',
			};
			const call = gateway.families[model.family].createCall(request, 'key');
			collect(call.body);
			collect(call.headers);
		}
	}
	// Words the node uses for its own parameters and its neutral request model (a model's options,
	// Edit's "maskUrl" parameter) keep their names on some wires: they are the node's, not a gateway's.
	const neutral = gateways.flatMap((gateway) => gateway.models.flatMap((model) => model.options.map((option) => option.key)));
	const parameters = new GptImage().description.properties.map((property) => property.name);
	for (const word of ['model', 'prompt', 'input', ...neutral, ...parameters]) names.delete(word);
	return names;
}

test('no gateway id, name or wire field appears in nodes/GptImage outside gateways/', () => {
	const outside = filesUnder(NODE, (path) => isTs(path) && !inGatewayFolders(path));
	expect(outside.length).toBeGreaterThan(10);
	const forbidden = [...ids, ...gateways.map((gateway) => gateway.displayName), ...wireFieldNames()];
	expect(forbidden).toEqual(expect.arrayContaining(['filesUrl', 'input_urls', 'mask_url', 'reference_images', 'callBackUrl']));
	const found = outside.flatMap((path) => {
		const literals = literalsOf(path);
		return forbidden.filter((word) => literals.has(word)).map((word) => `${relative(ROOT, path)}: ${word}`);
	});
	expect(found).toEqual([]);
});

test("a gateway's folder names no other gateway", () => {
	for (const gateway of gateways) {
		const files = filesUnder(join(NODE, 'gateways', gateway.id), isTs);
		expect(files.length).toBeGreaterThan(0);
		const others = gateways.filter((other) => other !== gateway).map((other) => other.id);
		for (const path of files) {
			const literals = literalsOf(path);
			expect([relative(ROOT, path), others.filter((id) => literals.has(id))]).toEqual([relative(ROOT, path), []]);
		}
	}
});

test('the registry is the only list of gateways in the repository', () => {
	const registry = join(NODE, 'gateways', 'index.ts');
	const files = ['nodes', 'credentials', 'test', 'scripts'].flatMap((folder) => filesUnder(join(ROOT, folder), isTs)).filter((path) => path !== registry);
	const lists: string[] = [];
	for (const path of files) {
		const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
		const visit = (node: ts.Node) => {
			// An array of every id, or a union type of every id, is the list written out again.
			const members = ts.isArrayLiteralExpression(node)
				? node.elements
				: ts.isUnionTypeNode(node)
					? node.types.map((type) => (ts.isLiteralTypeNode(type) ? type.literal : type))
					: undefined;
			const texts = new Set((members ?? []).filter(ts.isStringLiteralLike).map((member) => member.text));
			if (ids.every((id) => texts.has(id))) lists.push(`${relative(ROOT, path)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
			ts.forEachChild(node, visit);
		};
		visit(source);
	}
	expect(lists).toEqual([]);
});

test("the node's description and the package offer exactly the registry's gateways", () => {
	const { description } = new GptImage();
	expect(description.credentials?.map((credential) => credential.name)).toEqual(gateways.map((gateway) => gateway.credentialType));
	const gatewayParameter = description.properties.find((property) => property.name === 'gateway')!;
	expect(gatewayParameter.options?.map((option) => 'value' in option && option.value)).toEqual(ids);
	const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { credentials: string[] } };
	expect(pkg.n8n.credentials).toHaveLength(gateways.length);
	for (const gateway of gateways) {
		// Registry keys are the gateways' own ids.
		expect(GATEWAYS[gateway.id as keyof typeof GATEWAYS]).toBe(gateway);
		expect(pkg.n8n.credentials.some((path) => readFileSync(join(ROOT, path.replace(/^dist\//, '').replace(/\.js$/, '.ts')), 'utf8').includes(`name = '${gateway.credentialType}'`))).toBe(true);
	}
});

/**
 * Credential types known to the test engine, and the `credentialsHelper` n8n-core calls to get
 * and apply them. In n8n this is the CLI's CredentialsHelper (database + encryption); here the
 * decrypted data is handed in per run, keyed by credential TYPE name.
 */
import { Credentials } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	Workflow,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers } from 'n8n-workflow';

type CredentialTypeSource = ICredentialType | (() => ICredentialType);

/** Loads one of the package's credential classes only when a run needs it (it may not exist yet). */
function packageCredential(file: string, exportName: string): () => ICredentialType {
	return () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const module = require(`../../credentials/${file}`) as Record<string, new () => ICredentialType>;
		const CredentialClass = module[exportName];
		if (typeof CredentialClass !== 'function') {
			throw new Error(`credentials/${file} does not export a class "${exportName}"`);
		}
		return new CredentialClass();
	};
}

const credentialTypes = new Map<string, CredentialTypeSource>([
	['toApisApi', packageCredential('ToApisApi.credentials', 'ToApisApi')],
	['kieAiApi', packageCredential('KieAiApi.credentials', 'KieAiApi')],
	['evoLinkApi', packageCredential('EvoLinkApi.credentials', 'EvoLinkApi')],
]);

/** Makes a credential type (e.g. a test-only one) available to every later run in this process. */
export function registerCredentialType(type: ICredentialType): void {
	credentialTypes.set(type.name, type);
}

function isKnownCredentialType(name: string): boolean {
	return credentialTypes.has(name);
}

export function getCredentialType(name: string): ICredentialType {
	const source = credentialTypes.get(name);
	if (source === undefined) {
		throw new Error(`Unknown credential type "${name}": register it with registerCredentialType()`);
	}
	if (typeof source !== 'function') return source;
	const type = source();
	credentialTypes.set(name, type);
	return type;
}

/** Own and inherited (`extends`) properties, as the editor shows them. */
function credentialProperties(name: string): INodeProperties[] {
	const type = getCredentialType(name);
	const inherited = (type.extends ?? []).filter(isKnownCredentialType).flatMap(credentialProperties);
	return [...inherited, ...type.properties];
}

/** Fills in property defaults the way n8n does when it decrypts stored credentials. */
export function withCredentialDefaults(
	typeName: string,
	data: ICredentialDataDecryptedObject,
): ICredentialDataDecryptedObject {
	if (!isKnownCredentialType(typeName)) return { ...data };
	const filled = NodeHelpers.getNodeParameters(
		credentialProperties(typeName),
		data as INodeParameters,
		true,
		false,
		null,
		null,
	);
	return { ...(filled ?? {}), ...data } as ICredentialDataDecryptedObject;
}

/** Resolves a `={{ ... }}` value with the workflow's real expression engine, `$credentials` in scope. */
function resolveWithCredentials(
	value: unknown,
	credentials: ICredentialDataDecryptedObject,
	workflow: Workflow,
	node: INode,
): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	return workflow.expression.getSimpleParameterValue(
		node,
		value,
		'internal',
		{ $credentials: credentials },
		undefined,
		'',
	);
}

export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly data: Record<string, ICredentialDataDecryptedObject>;

	constructor(data: Record<string, ICredentialDataDecryptedObject> = {}) {
		super();
		// A copy: token refreshes / preAuthentication updates must not leak into the caller's object.
		this.data = Object.fromEntries(Object.entries(data).map(([type, values]) => [type, { ...values }]));
	}

	getParentTypes(name: string): string[] {
		const parents = isKnownCredentialType(name) ? (getCredentialType(name).extends ?? []) : [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialProperties(type);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = getCredentialType(typeName);
		const options = requestOptions as IHttpRequestOptions;
		if (authenticate === undefined) return options;
		if (typeof authenticate === 'function') return await authenticate(credentials, options);

		// Generic block: each section (headers, qs, body, auth) is merged into the request with its
		// keys and values resolved as expressions; scalar entries (url, ...) replace the option.
		const target = options as unknown as Record<string, unknown>;
		for (const [section, entries] of Object.entries(authenticate.properties)) {
			if (entries !== null && typeof entries === 'object') {
				const merged = { ...((target[section] as IDataObject | undefined) ?? {}) };
				for (const [key, value] of Object.entries(entries as IDataObject)) {
					const resolvedKey = String(resolveWithCredentials(key, credentials, workflow, node));
					merged[resolvedKey] = resolveWithCredentials(value, credentials, workflow, node) as IDataObject[string];
				}
				target[section] = merged;
			} else {
				target[section] = resolveWithCredentials(entries, credentials, workflow, node);
			}
		}
		return options;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = getCredentialType(typeName);
		const expirable = type.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (type.preAuthentication === undefined || expirable === undefined) return undefined;
		if (!credentialsExpired && credentials[expirable.name] !== '' && credentials[expirable.name] !== undefined) {
			return undefined;
		}
		const output = (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
		this.data[typeName] = { ...this.data[typeName], ...output };
		return output;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<Credentials> {
		const credentials = new Credentials(nodeCredentials, type);
		credentials.setData(this.given(type, nodeCredentials));
		return credentials;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		_mode: WorkflowExecuteMode,
		_executeData?: IExecuteData,
		raw?: boolean,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.given(type, nodeCredentials);
		return raw === true ? { ...data } : withCredentialDefaults(type, data);
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.data[type] = { ...data };
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.data[type] = { ...data };
	}

	private given(type: string, nodeCredentials: INodeCredentialsDetails): ICredentialDataDecryptedObject {
		const data = this.data[type];
		if (data === undefined) {
			throw new Error(
				`No credentials of type "${type}" were given to runWorkflow() (the node refers to "${nodeCredentials.name}")`,
			);
		}
		return data;
	}
}

/**
 * Runs an n8n workflow (editor-export JSON) on n8n's real execution engine: n8n-core's
 * `WorkflowExecute`, real node helpers (HTTP, credentials, binary data on disk) and a real cancel.
 *
 * Open handles: n8n-core keeps services alive in its DI container. The one that held processes
 * open in 2.11.1 (an SSH-tunnel reaper interval) is cleared by `initEngine`, so jest needs no
 * `--forceExit` and a script ends by itself once its own servers are closed; scripts should still
 * finish with `process.exit(code)` in case another n8n-core code path leaves something running.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { Container } from '@n8n/di';
import { BinaryDataService, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ExecutionBaseError,
	IBinaryData,
	ICredentialDataDecryptedObject,
	IConnections,
	INode,
	INodeExecutionData,
	IPinData,
	IRun,
	IRunData,
	IWorkflowBase,
	IWorkflowSettings,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { additionalDataFor } from './additionalData';
import { initEngine } from './engine';
import { createNodeTypes, isKnownNodeType } from './nodeTypes';

export { testCredentials } from './credentialTest';
export { registerCredentialType } from './credentials';
export { registerNodeType } from './nodeTypes';

export interface WorkflowJson {
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	pinData?: IPinData;
	name?: string;
	id?: string;
}

export interface RunWorkflowOptions {
	/** An n8n workflow as exported from the editor (sticky notes allowed). Not modified. */
	workflow: WorkflowJson;
	/** Credential TYPE name → decrypted data. Nodes must still reference the type in `credentials`. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Default: the trigger node (n8n's own choice of start node). */
	startNode?: string;
	/** Stop the execution (what n8n's Stop button does) after this many ms. */
	cancelAfterMs?: number;
	/** Alternatively stop it when this signal aborts. */
	signal?: AbortSignal;
}

export interface RunWorkflowResult {
	status: 'success' | 'error' | 'canceled';
	/** The workflow-level error: the instance the failing node threw, when a node threw it. */
	error?: ExecutionBaseError | Error;
	runData: IRunData;
	/** `main[outputIndex]` of the node's last run (`[]` if it did not run). */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** The error the node threw in its last run, if any. */
	nodeError(nodeName: string): (Error & Record<string, unknown>) | undefined;
	/** The stored bytes of a binary (read back from disk through n8n-core). */
	binaryBuffer(data: IBinaryData): Promise<Buffer>;
}

/** Reads an editor-exported workflow file: a workflow object, or a one-element array of one. */
export function loadWorkflowFile(path: string): WorkflowJson {
	const parsed = JSON.parse(readFileSync(path, 'utf8')) as WorkflowJson | WorkflowJson[];
	if (!Array.isArray(parsed)) return parsed;
	if (parsed.length !== 1) throw new Error(`${path} holds ${parsed.length} workflows; expected one`);
	return parsed[0];
}

type ErrorRecord = Error & Record<string, unknown>;

/** n8n stores errors as plain copies (`{ ...error, message, stack }`); give those an Error shape back. */
function asError(value: unknown): ErrorRecord {
	if (value instanceof Error) return value as ErrorRecord;
	const copy = (value ?? {}) as Record<string, unknown>;
	return Object.assign(new Error(String(copy.message ?? 'Unknown error')), copy) as ErrorRecord;
}

export async function runWorkflow(opts: RunWorkflowOptions): Promise<RunWorkflowResult> {
	await initEngine();

	// The Workflow constructor writes parameter defaults into the nodes: work on a copy.
	const json = structuredClone(opts.workflow);
	const unknownTypes = json.nodes.filter((node) => !isKnownNodeType(node.type)).map((node) => node.type);
	if (unknownTypes.length > 0) {
		throw new Error(
			`Unknown node types ${[...new Set(unknownTypes)].join(', ')}: register them with registerNodeType()`,
		);
	}

	const thrown = new Map<string, unknown>();
	const workflow = new Workflow({
		id: json.id ?? 'test-workflow',
		name: json.name,
		nodes: json.nodes,
		connections: json.connections,
		settings: json.settings,
		pinData: json.pinData,
		active: false,
		nodeTypes: createNodeTypes((nodeName, error) => thrown.set(nodeName, error)),
	});
	const startNode = opts.startNode === undefined ? workflow.getStartNode() : workflow.getNode(opts.startNode);
	if (!startNode) throw new Error(`No start node "${opts.startNode ?? '(trigger)'}" in the workflow`);

	const executionId = randomUUID();
	const workflowData: IWorkflowBase = {
		id: workflow.id,
		name: json.name ?? 'Test workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: json.nodes,
		connections: json.connections,
		settings: json.settings,
		pinData: json.pinData,
	};
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
	// The first report is what n8n keeps: on Stop it fires at once with status `canceled`, and the
	// engine then skips its own final report.
	let reported: IRun | undefined;
	hooks.addHandler('workflowExecuteAfter', (run) => {
		reported ??= run;
	});
	// Each execution of a node starts with a clean slate, so an error is matched with its own run.
	hooks.addHandler('nodeExecuteBefore', (nodeName) => {
		thrown.delete(nodeName);
	});

	const additionalData = additionalDataFor(executionId, opts.credentials ?? {});
	additionalData.hooks = hooks;
	const workflowExecute = new WorkflowExecute(additionalData, 'manual');
	const issues = workflowExecute.checkReadyForExecution(workflow, {
		startNode: startNode.name,
		pinDataNodeNames: Object.keys(json.pinData ?? {}),
	});
	if (issues !== null) throw new Error(`The workflow has issues and n8n would not run it: ${JSON.stringify(issues)}`);

	const execution = workflowExecute.run({ workflow, startNode, pinData: json.pinData });
	const cancel = () => execution.cancel();
	const timer = opts.cancelAfterMs === undefined ? undefined : setTimeout(cancel, opts.cancelAfterMs);
	if (opts.signal?.aborted) cancel();
	opts.signal?.addEventListener('abort', cancel, { once: true });
	let finished: IRun;
	try {
		// Settles once the engine has really stopped, i.e. after the running node returned or threw.
		finished = await execution;
	} finally {
		clearTimeout(timer);
		opts.signal?.removeEventListener('abort', cancel);
	}

	const run = reported ?? finished;
	const { runData, error: runError, lastNodeExecuted } = finished.data.resultData;
	const status = run.status === 'success' || run.status === 'canceled' ? run.status : 'error';

	const nodeError = (nodeName: string): ErrorRecord | undefined => {
		const stored = runData[nodeName]?.at(-1)?.error;
		if (stored === undefined) return undefined;
		const instance = thrown.get(nodeName);
		return asError(instance instanceof Error && instance.message === stored.message ? instance : stored);
	};
	const error =
		runError === undefined
			? undefined
			: lastNodeExecuted !== undefined && runData[lastNodeExecuted]?.at(-1)?.error !== undefined
				? nodeError(lastNodeExecuted)
				: asError(runError);
	// E.g. `waiting`, if a node parked the execution (putExecutionToWait): nothing here resumes it.
	const unexpected =
		status === 'error' && error === undefined ? new Error(`The execution ended as "${run.status}"`) : undefined;

	return {
		status,
		error: error ?? unexpected,
		runData,
		output: (nodeName, outputIndex = 0) => runData[nodeName]?.at(-1)?.data?.main?.[outputIndex] ?? [],
		nodeError,
		binaryBuffer: async (data) => await Container.get(BinaryDataService).getAsBuffer(data),
	};
}

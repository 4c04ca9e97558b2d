/** The per-execution services n8n-core reaches through `additionalData`. */
import { ExternalSecretsProxy } from 'n8n-core';
import type { ICredentialDataDecryptedObject, IWorkflowExecuteAdditionalData } from 'n8n-workflow';

import { TestCredentialsHelper } from './credentials';

const BASE_URL = 'http://localhost:5678';

function unsupported(what: string) {
	return async (): Promise<never> => {
		throw new Error(`${what} is not supported by the test engine`);
	};
}

export function additionalDataFor(
	executionId: string,
	credentials: Record<string, ICredentialDataDecryptedObject>,
): IWorkflowExecuteAdditionalData {
	return {
		executionId,
		credentialsHelper: new TestCredentialsHelper(credentials),
		externalSecretsProxy: new ExternalSecretsProxy(),
		currentNodeExecutionIndex: 0,
		variables: {},
		// Only used to build URLs ($execution.resumeUrl, signed binary links, ...); nothing listens.
		restApiUrl: `${BASE_URL}/rest`,
		instanceBaseUrl: BASE_URL,
		formWaitingBaseUrl: `${BASE_URL}/form-waiting`,
		webhookBaseUrl: `${BASE_URL}/webhook`,
		webhookWaitingBaseUrl: `${BASE_URL}/webhook-waiting`,
		webhookTestBaseUrl: `${BASE_URL}/webhook-test`,
		executeWorkflow: unsupported('Executing a sub-workflow'),
		getRunExecutionData: async () => undefined,
		startRunnerTask: unsupported('The task runner'),
		logAiEvent: () => undefined,
	};
}

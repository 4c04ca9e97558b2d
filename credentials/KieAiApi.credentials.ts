import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class KieAiApi implements ICredentialType {
	name = 'kieAiApi';

	displayName = 'Kie.ai API';

	icon: Icon = { light: 'file:../nodes/GptImage/gptImage.svg', dark: 'file:../nodes/GptImage/gptImage.dark.svg' };

	documentationUrl = 'https://docs.kie.ai/4o-image-api/quickstart';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your Kie.ai API key, from the API Key page of the Kie.ai dashboard',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.kie.ai',
			placeholder: 'e.g. https://api.kie.ai',
			description: 'Change it only for a proxy or a test server. A trailing /api/v1 is fine.',
		},
		{
			displayName: 'File Upload Base URL',
			name: 'uploadBaseUrl',
			type: 'string',
			default: 'https://kieai.redpandaai.co',
			placeholder: 'e.g. https://kieai.redpandaai.co',
			description: 'Where images from earlier nodes are uploaded before a task uses them',
			hint: "Kie.ai's file service (its documented host is kieai.redpandaai.co). The credential test checks the Base URL; this host is used when the node uploads an image.",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// Reading the credit balance costs nothing. Kie answers a bad key with HTTP 200 and code 401.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "").replace(/\\/api\\/v1$/, "")}}',
			url: '/api/v1/chat/credit',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'code', value: 401, message: 'The API key is not valid' },
			},
		],
	};
}

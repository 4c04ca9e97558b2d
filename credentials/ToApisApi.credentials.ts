import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class ToApisApi implements ICredentialType {
	name = 'toApisApi';

	displayName = 'ToAPIs API';

	icon: Icon = { light: 'file:../nodes/GptImage/gptImage.svg', dark: 'file:../nodes/GptImage/gptImage.dark.svg' };

	documentationUrl = 'https://docs.toapis.com/';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your ToAPIs API key (starts with sk-), from the API Key page of the ToAPIs console',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://toapis.com',
			placeholder: 'e.g. https://toapis.cn',
			description:
				'Change it for the China endpoint (https://toapis.cn), a proxy, or a test server. A trailing /v1, as OpenAI-style clients write it, is fine.',
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

	// Reading this key's balance costs nothing, is documented, and proves the key.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "").replace(/\\/v1$/, "")}}',
			url: '/v1/balance',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'success', value: false, message: 'The API key is not valid' },
			},
		],
	};
}

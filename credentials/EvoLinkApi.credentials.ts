import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class EvoLinkApi implements ICredentialType {
	name = 'evoLinkApi';

	displayName = 'EvoLink API';

	icon: Icon = { light: 'file:../nodes/GptImage/gptImage.svg', dark: 'file:../nodes/GptImage/gptImage.dark.svg' };

	documentationUrl = 'https://docs.evolink.ai/';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your EvoLink API key, from the API Key page of the EvoLink dashboard',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.evolink.ai',
			placeholder: 'e.g. https://beta-api.evolink.ai',
			description:
				'Change it for the beta endpoint (https://beta-api.evolink.ai), a proxy, or a test server. A trailing /v1 is fine.',
		},
		{
			displayName: 'File Upload Base URL',
			name: 'uploadBaseUrl',
			type: 'string',
			default: 'https://files-api.evolink.ai',
			placeholder: 'e.g. https://files-api.evolink.ai',
			description: 'Where images from earlier nodes are uploaded before a task uses them',
			hint: "EvoLink's file service. The credential test checks the Base URL; this host is used when the node uploads an image.",
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

	// Reading the credit balance costs nothing and needs a valid key.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "").replace(/\\/v1$/, "")}}',
			url: '/v1/credits',
		},
	};
}

// n8n loads the node and the credentials through the "n8n" field of package.json; this entry
// point exports the same classes for anyone who requires the package directly.
module.exports = {
	...require('./dist/nodes/GptImage/GptImage.node.js'),
	...require('./dist/credentials/ToApisApi.credentials.js'),
	...require('./dist/credentials/KieAiApi.credentials.js'),
	...require('./dist/credentials/EvoLinkApi.credentials.js'),
};

/**
 * The parts of n8n's editor (2.41) the browser test uses, found by the `data-test-id`s n8n's own
 * Playwright tests use. Every method waits for what it needs and throws with what it saw otherwise.
 */
import type { Locator, Page } from 'playwright-core';

export interface Owner {
	email: string;
	firstName: string;
	lastName: string;
	password: string;
}

/** What n8n answers to a credential test (`POST /rest/credentials/test`). */
export interface CredentialTest {
	status: string;
	message?: string;
}

export interface SavedCredential {
	id: string;
	name: string;
	type: string;
}

export class Editor {
	constructor(readonly page: Page) {}

	byTestId(id: string): Locator {
		return this.page.getByTestId(id);
	}

	/** The first-run form at /setup: the instance's owner account. */
	async setupOwner(owner: Owner): Promise<void> {
		await this.page.goto('/setup');
		for (const field of ['email', 'firstName', 'lastName', 'password'] as const) {
			await this.byTestId(field).locator('input').fill(owner[field]);
		}
		await this.byTestId('form-submit-button').click();
		await this.page.waitForURL((url) => !url.pathname.startsWith('/setup'), { timeout: 30000 });
	}

	/** A new, empty workflow on the canvas. */
	async newWorkflow(): Promise<void> {
		await this.page.goto('/workflow/new');
		await this.byTestId('canvas-add-button').waitFor({ timeout: 60000 });
	}

	/** The workflow menu's Import → From file, as the README tells users to import the examples. */
	async importWorkflowFile(path: string): Promise<void> {
		await this.byTestId('workflow-menu').click();
		await this.byTestId('workflow-menu-item-import').hover();
		const chooser = this.page.waitForEvent('filechooser');
		await this.byTestId('workflow-menu-item-import-from-file').click();
		await (await chooser).setFiles(path);
	}

	get nodeCreator(): Locator {
		return this.byTestId('node-creator');
	}

	/** Opens the nodes panel from "Add first step…". */
	async openNodesPanelForFirstStep(): Promise<void> {
		await this.byTestId('canvas-add-button').click();
		await this.nodeCreator.waitFor();
	}

	/** Opens the nodes panel from the "+" on a node's output: "What happens next?". */
	async openNodesPanelAfter(nodeName: string): Promise<void> {
		const node = this.page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`);
		await node.hover();
		await this.byTestId('canvas-handle-plus').last().click();
		await this.nodeCreator.getByText('What happens next?').waitFor();
	}

	/** Types into the panel's search and returns the titles it lists. */
	async searchNodes(term: string): Promise<string[]> {
		await this.byTestId('node-creator-search-bar').fill(term);
		// The list is filtered as one types; give it a moment to settle, then read it.
		await this.page.waitForTimeout(400);
		const items = await this.nodeCreator.getByTestId('item-iterator-item').allInnerTexts();
		return items.map((text) => text.split('\n')[0].trim());
	}

	async clickPanelItem(title: string): Promise<void> {
		await this.nodeCreator.getByTestId('item-iterator-item').filter({ hasText: title }).first().click();
	}

	async closeNodesPanel(): Promise<void> {
		await this.page.keyboard.press('Escape');
		await this.nodeCreator.waitFor({ state: 'hidden' });
	}

	get ndv(): Locator {
		return this.byTestId('ndv');
	}

	async openNode(nodeName: string): Promise<void> {
		await this.page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).dblclick();
		await this.ndv.waitFor();
	}

	async closeNode(): Promise<void> {
		await this.byTestId('ndv-close-button').click();
		await this.ndv.waitFor({ state: 'hidden' });
	}

	/** Picks an option of an `options` parameter in the open node panel, by its name. */
	async selectOption(parameter: string, optionName: string): Promise<void> {
		await this.ndv.getByTestId(`parameter-input-${parameter}`).click();
		const option = this.page.locator('.el-select-dropdown__item:visible').filter({ has: this.page.getByText(optionName, { exact: true }) });
		await option.first().click();
	}

	/** The visible text of the node panel's parameters, one trimmed line each. */
	async parameterLines(): Promise<string[]> {
		const text = await this.ndv.getByTestId('node-parameters').innerText();
		return text.split('\n').map((line) => line.trim()).filter(Boolean);
	}

	/**
	 * Opens the credential window for a new credential from the node panel: the "Connect to …"
	 * button while the node has none, else the credential list's "Create new credential".
	 */
	async openNewCredential(): Promise<Locator> {
		const empty = this.ndv.getByTestId('node-credentials-empty-state');
		if (await empty.isVisible()) {
			await empty.click();
		} else {
			await this.ndv.getByTestId('node-credentials-select').click();
			await this.byTestId('node-credentials-select-item-new').click();
		}
		const modal = this.byTestId('editCredential-modal');
		await modal.waitFor();
		return modal;
	}

	/** In the credential window: opens the gateway switch ("Setup credential" menu) if there is one. */
	async openCredentialModeMenu(modal: Locator): Promise<boolean> {
		const trigger = modal.getByTestId('credential-mode-dropdown-trigger');
		if (!(await trigger.isVisible())) return false;
		await trigger.click();
		await this.page.getByRole('menuitem').first().waitFor();
		return true;
	}

	async pickCredentialMode(name: string): Promise<void> {
		await this.page.getByRole('menuitem', { name, exact: true }).click();
	}

	/** Fills the fields of `values` that the credential window shows; returns the names it filled. */
	async fillCredential(modal: Locator, values: Record<string, string>): Promise<string[]> {
		await modal.getByTestId('credential-connection-parameter').first().waitFor();
		const filled: string[] = [];
		for (const [name, value] of Object.entries(values)) {
			const input = modal.getByTestId(`parameter-input-${name}`).locator('input, textarea').first();
			if ((await input.count()) === 0) continue;
			await input.fill(value);
			filled.push(name);
		}
		return filled;
	}

	/**
	 * Saves the credential; n8n then tests it. Returns what was saved and the test's answer, both
	 * read from n8n's own responses.
	 */
	async saveCredential(modal: Locator): Promise<{ saved: SavedCredential; test: CredentialTest }> {
		const savedResponse = this.page.waitForResponse(
			(response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/rest/credentials',
		);
		const testResponse = this.page.waitForResponse((response) => new URL(response.url()).pathname === '/rest/credentials/test');
		await modal.getByTestId('credential-save-button').click();
		const saved = ((await (await savedResponse).json()) as { data: SavedCredential }).data;
		const test = ((await (await testResponse).json()) as { data: CredentialTest }).data;
		return { saved, test };
	}

	async selectCredential(id: string): Promise<void> {
		const item = this.byTestId(`node-credentials-select-item-${id}`);
		// Right after the panel opens, a click on the list can be swallowed by its opening animation.
		for (let attempt = 1; ; attempt++) {
			await this.ndv.getByTestId('node-credentials-select').click();
			try {
				await item.waitFor({ timeout: 3000 });
				break;
			} catch (error) {
				if (attempt === 3) throw error;
			}
		}
		await item.click();
	}

	/** "Execute step" in the node panel; resolves when the output panel shows success, throws with what it shows otherwise. */
	async executeStep(timeoutMs = 60000): Promise<void> {
		await this.ndv.getByTestId('node-execute-button').click();
		const output = this.ndv.getByTestId('output-panel');
		// The run's status mark: node-run-status-success, or another theme when it failed.
		const status = output.locator('[data-test-id^="node-run-status-"]');
		await status.first().waitFor({ timeout: timeoutMs });
		const id = await status.first().getAttribute('data-test-id');
		if (id !== 'node-run-status-success') throw new Error(`the node's run: ${id}: ${(await output.innerText()).slice(0, 500)}`);
	}
}


// The buyer's configuration flow: subscribe, switch capabilities (one refused by a dependency
// rule, with the server's reason beside the switch), fill, save with an error shown at its field,
// fix, save, reload, the unsaved-changes guards, a stale save (412) reloaded without losing the
// buyer's typing, the revision diff, and restoring an earlier revision. The sync panel says the
// agent runtime and the knowledge base wait, with the server's reason (the demo configures neither).
import { BUYER, PASSWORD, signIn } from '../lib/api.mjs';
import { newScreen, signInAs } from '../lib/browser.mjs';
import { assert, expect } from './expect.mjs';
import { kbWidgetOffering, subscribeInPage } from './fixtures.mjs';

export default {
  name: 'configure-save-restore',
  async run({ browser, base, artifacts, log }) {
    const offering = await kbWidgetOffering(base);
    const screen = await newScreen(browser, { base, artifacts, log });
    const { page } = screen;
    const sw = (name) => page.getByRole('switch', { name, exact: true });
    const section = (title) => page.getByRole('heading', { name: title, exact: true, level: 3 });
    const agentName = page.getByLabel('Agent Name', { exact: true });
    const saveButton = page.getByRole('button', { name: 'Save configuration' });
    const status = page.getByTestId('save-status');
    const header = page.locator('h1 + p');
    try {
      await signInAs(screen, BUYER, PASSWORD);
      const subscription = await subscribeInPage(screen, offering.name);

      // --- sync: neither Langflow nor Ragflow is configured on the demo server ---
      const sync = page.getByRole('region', { name: 'Sync', exact: true });
      const syncLine = (target) => sync.getByTestId(`sync-${target}`);
      await expect(sync).toBeVisible();
      await expect(sync.getByTestId('sync-summary')).toContainText('Not every part of the agent has the newest revision yet');
      await expect(syncLine('langflow')).toContainText('Agent runtime (Langflow)');
      await expect(sync.getByTestId('sync-langflow-state')).toHaveText('Waiting');
      await expect(sync.getByTestId('sync-langflow-error')).toContainText('not configured');
      await expect(syncLine('ragflow')).toContainText('Knowledge base (Ragflow)');
      await expect(sync.getByTestId('sync-ragflow-state')).toHaveText('Waiting');
      await expect(sync.getByTestId('sync-ragflow-error')).toContainText('not configured');
      await expect(syncLine('langflow')).toContainText('revision 0 of 1');
      await expect(sync.getByRole('button', { name: /Try again/ })).toHaveCount(0);
      await sync.scrollIntoViewIfNeeded();
      await screen.shot('19-configure-sync');
      await screen.checkScreen('configure with the sync panel');

      // --- capabilities ---
      await expect(sw('Knowledge Base')).not.toBeChecked();
      await expect(section('Knowledge Base')).not.toBeVisible();
      await sw('Knowledge Base').check();
      await expect(section('Knowledge Base')).toBeVisible();
      await sw('Embeddable Widget').check();
      await expect(section('Widget Settings')).toBeVisible();
      // A click, not uncheck(): the refused switch goes back on as soon as the 409 arrives.
      await sw('Knowledge Base').click();
      const reason = page.locator('#capability-rag-reason');
      await expect(reason).toContainText('Embeddable Widget needs Knowledge Base or API Access to be enabled.');
      await expect(sw('Knowledge Base')).toBeChecked();
      await expect(section('Knowledge Base')).toBeVisible();
      await page.locator('#capabilities-title').scrollIntoViewIfNeeded();
      await screen.shot('05-configure-refused-switch');
      await screen.checkScreen('configure after a refused switch');

      // --- fill, save with an error, see it at the field ---
      await agentName.fill('Globex Helper');
      await page.getByRole('button', { name: 'Add Domain' }).click();
      await page.getByLabel('Allowed Domains 1', { exact: true }).fill('https://globex.example');
      const domains = page.getByRole('group', { name: 'Allowed Domains' });
      await expect(domains).toContainText('Leave out the scheme');
      await saveButton.click();
      const field = domains.locator('xpath=ancestor::*[contains(., "item 1: must match pattern")][1]');
      await expect(field).toBeVisible();
      await expect(page.getByTestId('save-errors')).toContainText('Widget Settings › Allowed Domains');
      await expect(status).toHaveText('Unsaved changes');
      await domains.scrollIntoViewIfNeeded();
      await screen.shot('06-configure-error-at-field');
      screen.assertCleanConsole('configure with a validation error');

      // --- fix, add a source, save ---
      await page.getByLabel('Allowed Domains 1', { exact: true }).fill('globex.example');
      await expect(domains).not.toContainText('Leave out the scheme');
      await page.getByLabel('Source type').selectOption({ label: 'URL' });
      await page.getByLabel(/^url/).fill('https://docs.globex.example/help');
      await page.getByRole('button', { name: 'Add source' }).click();
      await expect(page.getByRole('group', { name: 'Document Sources' })).toContainText('URL: https://docs.globex.example/help');
      await saveButton.click();
      await expect(status).toContainText(/Saved as revision \d+\./);
      const savedRevision = Number((await status.innerText()).match(/revision (\d+)/)[1]);
      await expect(page.getByTestId('save-errors')).toHaveCount(0);
      // The panel asks again after the save: the targets now wait for the saved revision.
      await expect(syncLine('langflow')).toContainText(`revision 0 of ${savedRevision}`);
      await expect(sync.getByTestId('sync-langflow-state')).toHaveText('Waiting');

      // --- reload shows it ---
      await page.reload();
      await expect(agentName).toHaveValue('Globex Helper');
      await expect(page.getByLabel('Allowed Domains 1', { exact: true })).toHaveValue('globex.example');
      await expect(page.getByRole('group', { name: 'Document Sources' })).toContainText('https://docs.globex.example/help');
      await expect(header).toContainText(`revision ${savedRevision}`);
      await screen.checkScreen('configure after reload');

      // --- unsaved changes are not lost by leaving ---
      await agentName.fill('Unsaved edit');
      await page.getByRole('link', { name: 'My agents' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Leave without saving?' });
      await expect(dialog).toBeVisible();
      await screen.shot('07-configure-leave-guard');
      await dialog.getByRole('button', { name: 'Stay on this page' }).click();
      await expect(dialog).not.toBeVisible();
      assert(page.url().endsWith(`/agents/${subscription}`), `still on the configure page, not ${page.url()}`);
      await expect(agentName).toHaveValue('Unsaved edit');
      let beforeUnload = false;
      page.once('dialog', async (d) => {
        beforeUnload = d.type() === 'beforeunload';
        await d.dismiss();
      });
      await page.reload({ timeout: 3000 }).catch(() => {});
      assert(beforeUnload, 'reloading with unsaved changes asks first (beforeunload)');
      await expect(agentName).toHaveValue('Unsaved edit');

      // --- someone else saves meanwhile: 412, reload keeping the typing ---
      const other = await signIn(base, BUYER, PASSWORD);
      const current = await other.call('GET', `/subscriptions/${subscription}/config`);
      const config = structuredClone(current.data.config);
      config.behavior.tone = 'friendly';
      await other.call('PUT', `/subscriptions/${subscription}/config`, { body: { config }, headers: { 'If-Match': current.etag } });
      await saveButton.click();
      const stale = page.getByTestId('stale-alert');
      await expect(stale).toBeVisible();
      await stale.scrollIntoViewIfNeeded();
      await screen.shot('08-configure-stale-revision');
      await stale.getByRole('button', { name: 'Reload and keep my changes' }).click();
      await expect(page.getByLabel('Tone', { exact: true }).locator('option:checked')).toHaveText('friendly');
      await expect(agentName).toHaveValue('Unsaved edit');
      await saveButton.click();
      await expect(status).toContainText(/Saved as revision \d+\./);
      const lastRevision = Number((await status.innerText()).match(/revision (\d+)/)[1]);
      assert(lastRevision === savedRevision + 2, `the stale save became revision ${savedRevision + 2}, not ${lastRevision}`);

      // --- revisions: who/when, a readable diff, restore an earlier one ---
      const item = (n) => page.locator(`.revision-item[data-revision="${n}"]`);
      await expect(item(lastRevision)).toContainText('by you');
      await item(lastRevision).getByRole('button', { name: `Changes in ${lastRevision}` }).click();
      await expect(item(lastRevision).locator('.revision-diff')).toContainText('Branding › Agent Name: “Globex Helper” → “Unsaved edit”');
      await item(savedRevision + 1).getByRole('button', { name: `Changes in ${savedRevision + 1}` }).click();
      await expect(item(savedRevision + 1).locator('.revision-diff')).toContainText('Behavior › Tone: “professional” → “friendly”');
      await item(savedRevision + 1).scrollIntoViewIfNeeded();
      await screen.shot('09-revisions-diff');
      await item(savedRevision).getByRole('button', { name: `Restore revision ${savedRevision}` }).click();
      await item(savedRevision).getByRole('button', { name: `Restore revision ${savedRevision}` }).click();
      await expect(header).toContainText(`revision ${lastRevision + 1}`);
      await expect(agentName).toHaveValue('Globex Helper');
      await expect(page.getByLabel('Tone', { exact: true }).locator('option:checked')).toHaveText('professional');
      await expect(item(lastRevision + 1)).toContainText(`restored from ${savedRevision}`);
      await page.reload();
      await expect(agentName).toHaveValue('Globex Helper');
      await screen.shot('10-configure-restored', { fullPage: true });
      await screen.checkScreen('configure after restore');
      log(`  expected API problems seen: ${screen.expectedSeen.join(', ')}`);
    } finally {
      await screen.close();
    }
  },
};

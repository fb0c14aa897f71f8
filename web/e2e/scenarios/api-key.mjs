// API keys: created with a name and permissions, the secret shown once with a copy button and gone
// after a reload (the list keeps name, prefix and last use); saving the form afterwards is not
// refused over the key list; revoking removes the key.
import { BUYER, PASSWORD, signIn } from '../lib/api.mjs';
import { newScreen, signInAs } from '../lib/browser.mjs';
import { assert, expect } from './expect.mjs';
import { subscribeInPage } from './fixtures.mjs';

export default {
  name: 'api-key-shown-once',
  async run({ browser, base, artifacts, log }) {
    const screen = await newScreen(browser, { base, artifacts, log });
    const { page } = screen;
    try {
      await signInAs(screen, BUYER, PASSWORD);
      const subscription = await subscribeInPage(screen, 'Acme Topic Assistant');
      const keys = page.getByRole('group', { name: 'API keys' });
      await expect(keys).toContainText('No API keys yet.');
      await keys.getByLabel('Key name').fill('E2E integration');
      await keys.getByLabel('config', { exact: true }).check();
      await keys.getByRole('button', { name: 'Create key' }).click();
      const shown = keys.getByTestId('new-api-key');
      await expect(shown).toBeVisible();
      const secret = (await shown.innerText()).trim();
      assert(secret.length >= 20, `a whole key is shown, got "${secret}"`);
      const row = keys.locator('tbody tr', { hasText: 'E2E integration' });
      await expect(row).toContainText('chat, config');
      await expect(row).toContainText('never');
      const prefix = (await row.locator('code').innerText()).replace('…', '');
      assert(secret.startsWith(prefix), `the listed prefix ${prefix} starts the key`);
      await keys.getByRole('button', { name: 'Copy key' }).click();
      await expect(keys.getByText('Copied', { exact: true })).toBeVisible();
      const clipboard = await page.evaluate(() => navigator.clipboard.readText());
      assert(clipboard === secret, 'the copy button put the key on the clipboard');
      await keys.scrollIntoViewIfNeeded();
      await screen.shot('11-api-key-created');
      await screen.checkScreen('configure with a new API key');

      // The form's read-only key list is now older than the server's: saving must still work.
      await page.getByLabel('Agent Name', { exact: true }).fill('Topic Bot');
      await page.getByRole('button', { name: 'Save configuration' }).click();
      await expect(page.getByTestId('save-status')).toContainText(/Saved as revision \d+\./);

      await page.reload();
      await expect(keys.locator('tbody tr', { hasText: 'E2E integration' })).toBeVisible();
      await expect(keys.getByTestId('new-api-key')).toHaveCount(0);
      assert(!(await page.content()).includes(secret), 'the key is nowhere in the page after a reload');
      const api = await signIn(base, BUYER, PASSWORD);
      const config = await api.call('GET', `/subscriptions/${subscription}/config`);
      assert(!JSON.stringify(config.data).includes(secret), 'the configuration never holds the key');
      assert(config.data.config.api.keys.some((k) => k.name === 'E2E integration'), 'the configuration lists the key');
      await screen.checkScreen('configure after reload (key hidden)');

      await keys.getByRole('button', { name: 'Revoke key E2E integration' }).click();
      await keys.getByRole('button', { name: 'Revoke E2E integration' }).click();
      await expect(keys).toContainText('No API keys yet.');
      screen.assertCleanConsole('configure after revoking');
    } finally {
      await screen.close();
    }
  },
};

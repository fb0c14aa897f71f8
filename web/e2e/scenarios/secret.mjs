// A write-only credential: typed once, saved, then shown only as "set" with its last four
// characters (never the value), replaced or cleared.
import { BUYER, PASSWORD, signIn } from '../lib/api.mjs';
import { newScreen, signInAs } from '../lib/browser.mjs';
import { assert, expect } from './expect.mjs';
import { subscribeInPage } from './fixtures.mjs';

export default {
  name: 'secret-write-only',
  async run({ browser, base, artifacts, log }) {
    const screen = await newScreen(browser, { base, artifacts, log });
    const { page } = screen;
    const value = 'e2e-search-key-0123456789-wxyz';
    try {
      await signInAs(screen, BUYER, PASSWORD);
      const subscription = await subscribeInPage(screen, 'Acme Research Agent');
      const readiness = page.locator('.readiness');
      await expect(readiness).toContainText('Add the API key of your search provider.');
      const box = page.getByLabel('Search API Key', { exact: true });
      await expect(box).toHaveValue('');
      assert((await box.getAttribute('type')) === 'password', 'a secret is typed into a password box');
      await box.fill(value);
      await page.getByRole('button', { name: 'Save configuration' }).click();
      await expect(page.getByTestId('save-status')).toContainText(/Saved as revision \d+\./);
      const field = page.locator('.secret-widget');
      await expect(field).toContainText('Set');
      await expect(field).toContainText('wxyz');
      await expect(readiness).not.toContainText('Add the API key of your search provider.');
      await page.reload();
      await expect(page.locator('.secret-widget')).toContainText('ends in wxyz');
      assert(!(await page.content()).includes(value), 'the stored value is never in the page');
      await screen.shot('12-secret-set');
      await screen.checkScreen('configure with a stored secret');

      await page.getByRole('button', { name: 'Clear Search API Key' }).click();
      await expect(page.locator('.secret-widget')).toContainText('Not set');
      await expect(readiness).toContainText('Add the API key of your search provider.');
      const api = await signIn(base, BUYER, PASSWORD);
      const { data } = await api.call('GET', `/subscriptions/${subscription}/secrets`);
      assert(data.secrets.length === 0, 'the secret is gone on the server');
      screen.assertCleanConsole('configure after clearing a secret');
    } finally {
      await screen.close();
    }
  },
};

// The seller publishes an offering from a template, activates it; a buyer finds it in the
// marketplace and subscribes; the seller sees that subscription, then archives the offering.
import { BUYER, PASSWORD, SELLER } from '../lib/api.mjs';
import { newScreen, signInAs } from '../lib/browser.mjs';
import { expect } from './expect.mjs';

const NAME = 'E2E Support Desk';

export default {
  name: 'seller-publishes-buyer-subscribes',
  async run({ browser, base, artifacts, log }) {
    const screen = await newScreen(browser, { base, artifacts, log });
    const { page } = screen;
    try {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await screen.shot('01-signin');
      await screen.checkScreen('sign-in');

      await signInAs(screen, SELLER, PASSWORD);
      await page.getByRole('heading', { name: 'Your offerings' }).waitFor();
      await page.getByRole('heading', { name: 'Templates' }).waitFor();
      await expect(page.locator('.template-card').filter({ hasText: 'Customer Support Agent' }).getByText('Knowledge Base')).toBeVisible();

      await page.getByLabel('Template', { exact: true }).selectOption({ label: 'Customer Support Agent (v1)' });
      await page.getByLabel('Offering name').fill(NAME);
      await page.getByLabel('Description').fill('Answers from your help centre, on your site.');
      await page.getByLabel('Chat message').fill('4');
      await page.getByRole('button', { name: 'Publish offering' }).click();
      await page.getByText(`“${NAME}” is published as a draft`).waitFor();
      const row = page.locator('.offering-row', { hasText: NAME });
      await expect(row.getByTestId('offering-state')).toHaveText('draft');
      await row.getByRole('button', { name: `Activate ${NAME}` }).click();
      await expect(row.getByTestId('offering-state')).toHaveText('active');
      await row.getByRole('button', { name: `Subscriptions to ${NAME}` }).click();
      await row.getByText('No subscriptions yet.').waitFor();
      await screen.shot('02-seller-offerings', { fullPage: true });
      await screen.checkScreen('seller offerings');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInAs(screen, BUYER, PASSWORD);
      await page.getByRole('heading', { name: 'Marketplace' }).waitFor();
      const card = page.locator('.offering-card', { hasText: NAME });
      await expect(card.locator('.credit-costs')).toContainText('Chat message');
      await expect(card.locator('.credit-costs')).toContainText('4 credits');
      await expect(card.getByRole('list', { name: 'Capabilities' })).toContainText('Human Handoff');
      await screen.shot('03-marketplace', { fullPage: true });
      await screen.checkScreen('marketplace');
      await card.getByRole('button', { name: `Subscribe to ${NAME}` }).click();
      await page.getByRole('heading', { name: NAME }).waitFor();
      await page.getByRole('heading', { name: 'Capabilities' }).waitFor();
      await screen.checkScreen('configure (new subscription)');

      await page.getByRole('link', { name: 'My agents' }).first().click();
      const agent = page.locator('.agent-row', { hasText: NAME });
      await expect(agent.getByTestId('configured-state')).toContainText('Not configured');
      await screen.shot('04-my-agents', { fullPage: true });
      await screen.checkScreen('my agents');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInAs(screen, SELLER, PASSWORD);
      const again = page.locator('.offering-row', { hasText: NAME });
      await again.getByRole('button', { name: `Subscriptions to ${NAME}` }).click();
      const table = again.locator('.offering-subscriptions table');
      await expect(table.locator('tbody tr')).toHaveCount(1);
      await expect(table).toContainText('active');
      await expect(table).toContainText('Globex Corporation');  // the buyer by name, not by id
      await again.getByRole('button', { name: `Archive ${NAME}` }).click();
      await again.getByRole('button', { name: `Archive ${NAME} for good` }).click();
      await expect(again.getByTestId('offering-state')).toHaveText('archived');
      await screen.checkScreen('seller offerings after archiving');
    } finally {
      await screen.close();
    }
  },
};

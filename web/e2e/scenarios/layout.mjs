// The configure page (and the other screens) at 1280×800 and 390×844: no sideways scrolling, every
// control labelled, visible keyboard focus, no console errors; locked default capabilities, and
// an optional one that brings its section and conditional fields.
import { BUYER, PASSWORD, SELLER } from '../lib/api.mjs';
import { assertKeyboardFocus, newScreen, signInAs } from '../lib/browser.mjs';
import { expect } from './expect.mjs';
import { subscribeInPage } from './fixtures.mjs';

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'mobile', viewport: { width: 390, height: 844 } },
];

export default {
  name: 'configure-layout-both-viewports',
  async run({ browser, base, artifacts, log }) {
    let subscription;
    for (const size of SIZES) {
      const screen = await newScreen(browser, { base, artifacts, log, viewport: size.viewport });
      const { page } = screen;
      try {
        await signInAs(screen, BUYER, PASSWORD);
        await page.getByRole('heading', { name: 'Marketplace' }).waitFor();
        await screen.checkScreen(`marketplace (${size.name})`);
        if (size.name === 'mobile') await screen.shot(`14-marketplace-${size.name}`);
        if (!subscription) {
          subscription = await subscribeInPage(screen, 'Acme Customer Support Agent');
          // Locked on: the offering's own capabilities.
          for (const name of ['Knowledge Base', 'Embeddable Widget', 'API Access']) {
            const sw = page.getByRole('switch', { name, exact: true });
            await expect(sw).toBeChecked();
            await expect(sw).toBeDisabled();
          }
          const handoff = page.getByRole('switch', { name: 'Human Handoff', exact: true });
          await handoff.check();
          await expect(page.getByRole('heading', { name: 'Human Handoff', level: 3 })).toBeVisible();
          await expect(page.getByLabel('Webhook URL', { exact: true })).toBeVisible();
          await expect(page.getByLabel('Trigger Keywords', { exact: true })).toBeVisible();
        } else {
          await page.goto(`/agents/${subscription}`);
          await page.getByRole('heading', { name: 'Capabilities' }).waitFor();
          await expect(page.getByRole('heading', { name: 'Human Handoff', level: 3 })).toBeVisible();
        }
        await page.getByLabel('Creativity (Temperature)').waitFor();
        await expect(page.locator('.range-widget output').first()).toContainText('0.7');
        await screen.shot(`15-configure-${size.name}`);
        await screen.shot(`16-configure-${size.name}-full`, { fullPage: true });
        await screen.checkScreen(`configure (${size.name})`);
        if (size.name === 'desktop') await assertKeyboardFocus(page, `configure (${size.name})`, 40);
        screen.assertCleanConsole(`configure keyboard walk (${size.name})`);
        if (size.name === 'mobile') {
          await page.getByRole('link', { name: 'My agents' }).first().click();
          await page.locator('.agent-row').first().waitFor();
          await screen.shot('17-my-agents-mobile');
          await screen.checkScreen('my agents (mobile)');
          await page.getByRole('button', { name: 'Sign out' }).click();
          await signInAs(screen, SELLER, PASSWORD);
          await page.getByRole('heading', { name: 'Publish an offering' }).waitFor();
          await screen.shot('18-seller-mobile');
          await screen.checkScreen('seller offerings (mobile)');
        }
      } finally {
        await screen.close();
      }
    }
  },
};

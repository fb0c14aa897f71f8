// Data the scenarios set up through the API (test data, not page knowledge).
import { PASSWORD, SELLER, signIn } from '../lib/api.mjs';

let kbWidget;

/**
 * An offering whose capabilities have no defaults, so the widget's dependency on the knowledge
 * base (or API access) can be broken from a switch: the demo templates lock those on.
 */
export async function kbWidgetOffering(base) {
  if (kbWidget) return kbWidget;
  const seller = await signIn(base, SELLER, PASSWORD);
  await seller.call('POST', '/templates', {
    body: {
      template_id: 'e2e-kb-widget',
      version: 1,
      name: 'E2E Knowledge Widget',
      category: 'agents',
      capabilities: ['rag', 'widget', 'api'],
      default_capabilities: [],
      langflow_flow_id: 'e2e-kb-widget-v1',
      credit_costs: { chat_message: 1 },
      config_schema: {
        allOf: [
          { $ref: 'capability:branding' },
          { $ref: 'capability:behavior' },
          { $ref: 'capability:rag' },
          { $ref: 'capability:widget' },
          { $ref: 'capability:api' },
        ],
      },
    },
    expect: 201,
  });
  const { data: offering } = await seller.call('POST', '/offerings', {
    body: { template_id: 'e2e-kb-widget', name: 'E2E Knowledge Widget Agent', description: 'A knowledge base with a chat widget, for the end-to-end tests.' },
    expect: 201,
  });
  await seller.call('PATCH', `/offerings/${offering.id}`, { body: { state: 'active' } });
  kbWidget = offering;
  return offering;
}

export async function subscribeInPage(screen, offeringName) {
  const { page } = screen;
  await page.getByRole('link', { name: 'Marketplace' }).click();
  await page.getByRole('button', { name: `Subscribe to ${offeringName}` }).click();
  await page.getByRole('heading', { name: 'Capabilities' }).waitFor();
  await page.waitForURL(/\/agents\/[^/]+$/);
  return page.url().split('/').pop();
}

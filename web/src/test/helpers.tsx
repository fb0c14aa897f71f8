import Form from '@rjsf/react-bootstrap';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { render } from '@testing-library/react';
import { vi } from 'vitest';
import type { ApiClient } from '../api';
import type { ConfigFormContext } from '../form/context';
import { fields, widgets } from '../form/registry';
import type { SecretStatus } from '../types';

/** An ApiClient whose methods are mocks; only those a test sets up answer. */
export function fakeApi(overrides: Partial<Record<keyof ApiClient, unknown>> = {}): ApiClient {
  return new Proxy({} as ApiClient, {
    get(target, prop: string) {
      const t = target as unknown as Record<string, unknown>;
      if (!(prop in t)) t[prop] = overrides[prop as keyof ApiClient] ?? vi.fn(() => Promise.reject(new Error(`unexpected call: ${prop}`)));
      return t[prop];
    },
  });
}

export function fakeContext(api: ApiClient, secrets: SecretStatus[] = []): ConfigFormContext {
  return { subscriptionId: 'sub1', api, csrfToken: 'tok', secrets, onServerChange: vi.fn() };
}

/** Renders one rjsf Form with the page's registry; `changes` collects every formData it reports. */
export function renderForm(opts: { schema: object; uiSchema?: UiSchema; formData?: unknown; context?: ConfigFormContext }) {
  const changes: unknown[] = [];
  const onSubmit = vi.fn();
  const utils = render(
    <Form
      schema={opts.schema as RJSFSchema}
      uiSchema={opts.uiSchema}
      formData={opts.formData}
      validator={validator}
      widgets={widgets}
      fields={fields}
      formContext={opts.context ?? fakeContext(fakeApi())}
      onChange={(e) => changes.push(e.formData)}
      onSubmit={(e) => onSubmit(e.formData)}
      noHtml5Validate
    />,
  );
  return { ...utils, changes, last: () => changes[changes.length - 1], onSubmit };
}

/** The smallest ancestor of `el` whose text includes `text`: where a message sits relative to a control. */
export function nearestAncestorWithText(el: HTMLElement, text: string): HTMLElement {
  let node: HTMLElement | null = el;
  while (node && !node.textContent?.includes(text)) node = node.parentElement;
  if (!node) throw new Error(`no ancestor holds "${text}"`);
  return node;
}

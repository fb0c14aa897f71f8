import type { ErrorSchema, ObjectFieldTemplateProps, RJSFSchema, RJSFValidationError, TitleFieldProps, UiSchema } from '@rjsf/utils';
import Form, { Templates } from '@rjsf/react-bootstrap';
import { useMemo, type ReactNode } from 'react';
import type { JsonObject } from '../types';
import type { ConfigFormContext } from './context';
import { liftValidationErrors } from './errors';
import { fields, widgets } from './registry';
import { validatorFor } from './validator';

const ThemeObjectFieldTemplate = Templates.ObjectFieldTemplate!;

/** The root object's properties are the capability sections: each becomes a titled card. */
function SectionsTemplate(props: ObjectFieldTemplateProps) {
  if (props.fieldPathId.path.length > 0) return <ThemeObjectFieldTemplate {...props} />;
  return (
    <>
      {props.properties.map((p) => (
        <section
          key={p.name}
          id={`section-${p.name}`}
          className={`card mb-3 config-section${p.hidden ? ' d-none' : ''}`}
          aria-labelledby={`root_${p.name}__title`}
        >
          <div className="card-body">{p.content}</div>
        </section>
      ))}
    </>
  );
}

/** The theme's titles are h5 whatever the depth; the page's own headings go down to h2. */
function TitleField({ id, title, optionalDataControl }: TitleFieldProps) {
  return (
    <div id={id} className="my-1 d-flex align-items-center gap-2">
      <h3 className="h5 mb-1 flex-grow-1">{title}</h3>
      {optionalDataControl}
    </div>
  );
}

export interface ConfigFormProps {
  schema: JsonObject;
  uiSchema: JsonObject;
  formData: JsonObject;
  extraErrors?: ErrorSchema;
  context: ConfigFormContext;
  disabled?: boolean;
  onChange: (data: JsonObject) => void;
  onSubmit: (data: JsonObject) => void;
  onError: (errors: RJSFValidationError[]) => void;
  children: ReactNode;
}

export default function ConfigForm(props: ConfigFormProps) {
  const validator = useMemo(() => validatorFor(props.schema), [props.schema]);
  return (
    <Form
      schema={props.schema as RJSFSchema}
      uiSchema={props.uiSchema as UiSchema}
      formData={props.formData}
      validator={validator}
      widgets={widgets}
      fields={fields}
      templates={{ ObjectFieldTemplate: SectionsTemplate, TitleFieldTemplate: TitleField }}
      formContext={props.context}
      extraErrors={props.extraErrors}
      transformErrors={liftValidationErrors}
      showErrorList={false}
      focusOnFirstError
      noHtml5Validate
      disabled={props.disabled}
      onChange={(e) => props.onChange(e.formData as JsonObject)}
      onSubmit={(e) => props.onSubmit(e.formData as JsonObject)}
      onError={props.onError}
    >
      {props.children}
    </Form>
  );
}

import type { ValidatorType } from '@rjsf/utils';
import validator, { customizeValidator } from '@rjsf/validator-ajv8';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';

const byDialect = new Map<string, ValidatorType>();

/**
 * The ajv8 validator for the bundle's dialect: a template may declare draft 2019-09 or 2020-12
 * (`$schema`), which plain Ajv (draft-07) refuses to compile. Same options as the default
 * validator otherwise, as the server's differential tests assume.
 */
export function validatorFor(schema: { $schema?: unknown }): ValidatorType {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  const kind = dialect.includes('2020-12') ? '2020-12' : dialect.includes('2019-09') ? '2019-09' : 'draft-07';
  if (kind === 'draft-07') return validator;
  let v = byDialect.get(kind);
  if (!v) {
    v = customizeValidator({ AjvClass: kind === '2020-12' ? Ajv2020 : Ajv2019 });
    byDialect.set(kind, v);
  }
  return v;
}

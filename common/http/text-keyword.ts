// `x-text` in a route's schema: Ajv reads the string through common/text.ts while it validates
// the request, so a route receives text that is already normalized and every text field of every
// route follows the one rule. 'line' or 'block' says whether line breaks are allowed; with a
// minLength of 1 or more, text that shows nothing is refused as blank.
// Fastify's validator compiler hands its own Ajv (a dependency of Fastify's) to plugins.
import type { Ajv, SchemaValidateFunction } from 'ajv';
import { normalizeText, type TextKind } from '../text.ts';

const validateText: SchemaValidateFunction = (kind: TextKind, data: string, parentSchema, context) => {
  const result = normalizeText(data, kind);
  const minLength = typeof parentSchema?.minLength === 'number' ? parentSchema.minLength : 0;
  const problem = !result.ok ? result.problem : result.text === '' && minLength > 0 ? 'must not be blank' : undefined;
  if (problem !== undefined) {
    validateText.errors = [{ keyword: 'x-text', message: problem, params: {} }];
    return false;
  }
  // Hand the route what will be stored. A top-level string (no parent) can't be replaced.
  if (context?.parentData !== undefined && result.ok) {
    (context.parentData as Record<string | number, unknown>)[context.parentDataProperty] = result.text;
  }
  return true;
};

export function addTextKeyword(ajv: Ajv): Ajv {
  return ajv.addKeyword({
    keyword: 'x-text',
    type: 'string',
    schemaType: 'string',
    modifying: true,
    errors: true,
    validate: validateText,
  });
}

// asl-validator 4.0 builds and compiles its JSON schemas (Ajv) on every call: ~150-300 ms per definition, the
// bulk of loading one. This module puts in its place a copy of that one function (checks/json-schema-errors.js)
// that compiles them once per option set; the schemas, formats, error selection and messages are the package's
// own, loaded from the package itself.
import { createRequire } from 'node:module';

type AjvError = { instancePath: string; schemaPath: string; keyword: string; message?: string };
interface AjvInstance {
  validate(schemaId: string, data: unknown): boolean;
  errors?: AjvError[] | null;
  addFormat(name: string, format: (value: string) => boolean): void;
}
type SchemaError = { 'Error code': string; Message: string; schemaError: { instancePath: string; schemaPath: string } };
type Options = { checkPaths: boolean; checkArn: boolean };

const fromValidator = createRequire(createRequire(import.meta.url).resolve('asl-validator'));
const SCHEMAS = ['common', 'paths', 'jsonata', 'choice', 'fail', 'parallel', 'pass', 'base-state-machine', 'state-machine', 'state', 'succeed', 'task', 'wait', 'map', 'errors'];

function buildAjv(options: Options): AjvInstance {
  const Ajv = (fromValidator('ajv') as { default: new (opts: object) => AjvInstance }).default;
  const addFormats = (fromValidator('ajv-formats') as { default: (ajv: AjvInstance) => void }).default;
  const jsonata = fromValidator('jsonata') as (expression: string) => unknown;
  const { registerAll } = fromValidator('asl-path-validator') as { registerAll: (ajv: AjvInstance) => void };
  const { isArnFormatValid } = fromValidator('./checks/formats') as { isArnFormatValid: (value: string) => boolean };
  const ajv = new Ajv({ schemas: SCHEMAS.map((name) => fromValidator(`./schemas/${name}.json`)), allowUnionTypes: true });
  addFormats(ajv);
  const validateJsonataString = (value: string) => {
    const trimmed = value.trim();
    try {
      let expr = trimmed.startsWith('{%') ? trimmed.slice(2) : trimmed;
      expr = expr.endsWith('%}') ? expr.slice(0, -2) : expr;
      jsonata(expr);
      return true;
    } catch {
      return false;
    }
  };
  ajv.addFormat('jsonata_string', validateJsonataString);
  ajv.addFormat('maybe_jsonata_string', (value) => {
    const trimmed = value.trim();
    return trimmed.startsWith('{%') || trimmed.endsWith('%}') ? validateJsonataString(trimmed) : true;
  });
  if (options.checkPaths) registerAll(ajv);
  else for (const name of ['asl_path', 'asl_ref_path', 'asl_payload_template', 'asl_result_path']) ajv.addFormat(name, () => true);
  ajv.addFormat('asl_arn', options.checkArn ? isArnFormatValid : () => true);
  return ajv;
}

const instances = new Map<string, AjvInstance>();

function jsonSchemaErrors(definition: unknown, options: Options): SchemaError[] {
  const key = `${options.checkPaths}/${options.checkArn}`;
  let ajv = instances.get(key);
  if (!ajv) instances.set(key, (ajv = buildAjv(options)));
  ajv.validate('http://asl-validator.cloud/state-machine.json#', definition);
  if (!ajv.errors) return [];
  // The package's selection: the deepest errors; at a path with a oneOf error, only that one.
  let selected: AjvError[] = [];
  let deepest = 0;
  for (const error of ajv.errors) {
    const depth = error.instancePath.split('/').length;
    if (depth === deepest) selected.push(error);
    else if (depth > deepest) selected = [error];
    deepest = Math.max(deepest, depth);
  }
  const oneOfPaths = new Set(selected.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const errors: SchemaError[] = selected
    .filter((e) => e.keyword === 'oneOf' || !oneOfPaths.has(e.instancePath))
    .map((e) => ({
      'Error code': 'SCHEMA_VALIDATION_FAILED',
      Message: `${e.instancePath} is invalid. ${e.message ?? ''}`,
      schemaError: { instancePath: e.instancePath, schemaPath: decodeURIComponent(e.schemaPath) },
    }));
  return errors.filter((v, i, all) => all.findIndex((w) => w.schemaError.schemaPath === v.schemaError.schemaPath && w.schemaError.instancePath === v.schemaError.instancePath) === i);
}

/** Makes asl-validator use the compiled-once copy (its validator reads the function from this module at each call). */
export function installSchemaCache(): void {
  const module = fromValidator('./checks/json-schema-errors') as { jsonSchemaErrors: typeof jsonSchemaErrors };
  module.jsonSchemaErrors = jsonSchemaErrors;
}

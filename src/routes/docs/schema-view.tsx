// A JSON Schema (as the OpenAPI 3.1 document holds it) shown as a nested list of fields: name, type,
// required or not, constraints, description. A $ref is followed into components.schemas, so a reader sees
// the fields where they are used, with the schema's name linking to its entry in the Schemas section.
import type { Child } from 'hono/jsx';
import { Inline } from './markdown.tsx';

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

export interface SchemaContext {
  components: Record<string, JsonSchema>;
  /** The $refs already being expanded on this branch: a recursive schema stops at a link. */
  seen: ReadonlySet<string>;
  depth: number;
}

const MAX_DEPTH = 8;

export const refName = (ref: string): string => ref.replace(/^#\/components\/schemas\//, '');
export const schemaAnchor = (name: string): string => `schema-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** The schema a $ref points to (one level), and the context to expand it in; null when it must not be expanded. */
function follow(schema: JsonSchema, ctx: SchemaContext): { schema: JsonSchema; ctx: SchemaContext } | null {
  if (!schema.$ref) return { schema, ctx };
  const target = ctx.components[refName(schema.$ref)];
  if (!target || ctx.seen.has(schema.$ref) || ctx.depth >= MAX_DEPTH) return null;
  return { schema: target, ctx: { ...ctx, seen: new Set([...ctx.seen, schema.$ref]) } };
}

const literal = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
const alternatives = (s: JsonSchema): JsonSchema[] | undefined => s.anyOf ?? s.oneOf;
const isNullSchema = (s: JsonSchema) => s.type === 'null';

/** The type in words: `integer`, `string (date-time) | null`, `array of Reservation`, `map of string → any`. */
export function TypeLabel({ schema }: { schema: JsonSchema }): Child {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return <a class="type-ref" href={`#${schemaAnchor(name)}`}>{name}</a>;
  }
  const alts = alternatives(schema);
  if (alts) {
    const shapes = alts.filter((alt) => alt.type === 'object' && !alt.$ref).length;
    if (shapes === alts.length) return <>{`object, one of ${shapes} shapes`}</>;
    return <>{alts.map((alt, i) => <>{i > 0 ? ' | ' : ''}<TypeLabel schema={alt} /></>)}</>;
  }
  if (schema.allOf?.length === 1) return <TypeLabel schema={schema.allOf[0]!} />;
  if (schema.const !== undefined) return <>{`constant ${literal(schema.const)}`}</>;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return <>{schema.properties ? 'object' : schema.allOf ? 'all of the below' : 'any'}</>;
  return (
    <>
      {types.map((type, i) => {
        const prefix = i > 0 ? ' | ' : '';
        if (type === 'array') return <>{prefix}array of <TypeLabel schema={schema.items ?? {}} /></>;
        if (type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object') {
          return <>{prefix}map of string → <TypeLabel schema={schema.additionalProperties} /></>;
        }
        return <>{prefix + type + (schema.format && type !== 'null' ? ` (${schema.format})` : '')}</>;
      })}
    </>
  );
}

const range = (min: number | undefined, max: number | undefined, unit: string): string | null => {
  if (min !== undefined && max !== undefined) return min === max ? `exactly ${min} ${unit}` : `${min}–${max} ${unit}`;
  if (min !== undefined) return `at least ${min} ${unit}`;
  if (max !== undefined) return `at most ${max} ${unit}`;
  return null;
};

/** The rules a value must follow, in words. */
export function constraints(schema: JsonSchema): string[] {
  const out: string[] = [];
  const length = range(schema.minLength, schema.maxLength, 'characters');
  if (length) out.push(length);
  const items = range(schema.minItems, schema.maxItems, 'items');
  if (items) out.push(items);
  if (typeof schema.exclusiveMinimum === 'number') out.push(`> ${schema.exclusiveMinimum}`);
  if (schema.minimum !== undefined) out.push(`${schema.exclusiveMinimum === true ? '>' : '≥'} ${schema.minimum}`);
  if (typeof schema.exclusiveMaximum === 'number') out.push(`< ${schema.exclusiveMaximum}`);
  if (schema.maximum !== undefined) out.push(`${schema.exclusiveMaximum === true ? '<' : '≤'} ${schema.maximum}`);
  if (schema.pattern) out.push(`matches ${schema.pattern}`);
  if (schema.enum) out.push(schema.enum.length === 1 ? `always ${literal(schema.enum[0])}` : `one of ${schema.enum.map(literal).join(', ')}`);
  if (schema.default !== undefined) out.push(`default ${literal(schema.default)}`);
  if (schema.example !== undefined) out.push(`example ${literal(schema.example)}`);
  return out;
}

/** Constraints and description of one value; zod-openapi copies a field's description into the schema. */
export function Notes({ schema }: { schema: JsonSchema }): Child {
  const rules = constraints(schema);
  return (
    <>
      {rules.length > 0 && <div class="rules">{rules.map((rule) => <code>{rule}</code>)}</div>}
      {schema.description && <p class="desc"><Inline text={schema.description} /></p>}
    </>
  );
}

/** What lies inside a value: its fields, its items' fields, or its alternatives. Nothing for a plain value. */
export function Inside({ schema, ctx }: { schema: JsonSchema; ctx: SchemaContext }): Child {
  const followed = follow(schema, ctx);
  if (!followed) return null;
  const { schema: s, ctx: inner } = followed;
  const next = { ...inner, depth: inner.depth + 1 };
  if (s.properties) return <Fields schema={s} ctx={next} />;
  if (s.allOf) return <>{s.allOf.map((part) => <Inside schema={part} ctx={next} />)}</>;
  const alts = alternatives(s)?.filter((alt) => !isNullSchema(alt));
  if (alts && alts.length === 1) return <Inside schema={alts[0]!} ctx={inner} />;
  if (alts && alts.length > 1) {
    return (
      <ul class="alts">
        {alts.map((alt, i) => (
          <li>
            <span class="label">{`shape ${i + 1}: `}</span>
            <span class="type"><TypeLabel schema={alt} /></span>
            <Notes schema={alt} />
            <Inside schema={alt} ctx={next} />
          </li>
        ))}
      </ul>
    );
  }
  if (s.items && (s.items.$ref || s.items.properties || alternatives(s.items))) {
    return (
      <div class="items">
        <span class="label">each item:</span>
        <Inside schema={s.items} ctx={next} />
      </div>
    );
  }
  if (typeof s.additionalProperties === 'object') return <Inside schema={s.additionalProperties} ctx={next} />;
  return null;
}

function Fields({ schema, ctx }: { schema: JsonSchema; ctx: SchemaContext }): Child {
  const required = new Set(schema.required ?? []);
  return (
    <>
      <ul class="fields">
        {Object.entries(schema.properties ?? {}).map(([name, field]) => (
          <li>
            <div class="field-head">
              <code class="name">{name}</code>
              <span class="type"><TypeLabel schema={field} /></span>
              {required.has(name) ? <span class="req">required</span> : <span class="opt">optional</span>}
            </div>
            <Notes schema={field} />
            <Inside schema={field} ctx={ctx} />
          </li>
        ))}
      </ul>
      {schema.additionalProperties === false && <p class="note">Other fields are refused (422).</p>}
    </>
  );
}

/** A whole schema, as a request or response body or a component: its type line, notes and fields. */
export function SchemaView({ schema, ctx }: { schema: JsonSchema; ctx: SchemaContext }): Child {
  return (
    <div class="schema">
      <div class="schema-type"><TypeLabel schema={schema} /></div>
      <Notes schema={schema} />
      <Inside schema={schema} ctx={ctx} />
    </div>
  );
}

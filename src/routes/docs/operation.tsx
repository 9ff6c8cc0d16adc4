// One operation of the reference page: method and path, summary, description, who may call it, its
// parameters, its request body and every response with its body.
import type { Child } from 'hono/jsx';
import { Inline, Markdown } from './markdown.tsx';
import { type JsonSchema, Notes, type SchemaContext, SchemaView, TypeLabel } from './schema-view.tsx';

export interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

export interface Media {
  schema?: JsonSchema;
}

export interface Body {
  description?: string;
  required?: boolean;
  content?: Record<string, Media>;
}

export interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  deprecated?: boolean;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: Body;
  responses?: Record<string, Body>;
}

export const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'] as const;

export const operationAnchor = (method: string, path: string): string =>
  `op-${method}-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`;

const PARAM_ORDER = ['path', 'query', 'header', 'cookie'];

function Auth({ security }: { security: Operation['security'] }): Child {
  if (!security || security.length === 0) return <p class="auth"><strong>Open to anyone</strong>: no token needed.</p>;
  const optional = security.some((requirement) => Object.keys(requirement).length === 0);
  const schemes = [...new Set(security.flatMap((requirement) => Object.keys(requirement)))];
  return (
    <p class="auth">
      Auth: <strong>{schemes.map((name) => (name === 'bearerAuth' ? 'Bearer token' : name)).join(' or ')}</strong>
      {optional ? ' (optional)' : ''} — <code>Authorization: Bearer &lt;token&gt;</code>
    </p>
  );
}

function Parameters({ parameters }: { parameters: Parameter[] }): Child {
  const sorted = [...parameters].sort((a, b) => PARAM_ORDER.indexOf(a.in) - PARAM_ORDER.indexOf(b.in));
  return (
    <>
      <h4>Parameters</h4>
      <ul class="params">
        {sorted.map((param) => {
          const schema = param.schema ?? {};
          return (
            <li>
              <div class="field-head">
                <code class="name">{param.name}</code>
                <span class="in">in {param.in}</span>
                <span class="type"><TypeLabel schema={schema} /></span>
                {param.required ? <span class="req">required</span> : <span class="opt">optional</span>}
              </div>
              {/* zod-openapi repeats the description in the schema: show it once. */}
              <Notes schema={{ ...schema, description: param.description ?? schema.description }} />
            </li>
          );
        })}
      </ul>
    </>
  );
}

function Contents({ content, ctx, compact }: { content: Record<string, Media> | undefined; ctx: SchemaContext; compact: boolean }): Child {
  return (
    <>
      {Object.entries(content ?? {}).map(([type, media]) => (
        <div class="content">
          <span class="media">{type}</span>
          {media.schema && (compact && media.schema.$ref ? (
            <span class="type"> <TypeLabel schema={media.schema} /></span>
          ) : (
            <SchemaView schema={media.schema} ctx={ctx} />
          ))}
        </div>
      ))}
    </>
  );
}

function Responses({ responses, ctx }: { responses: Record<string, Body>; ctx: SchemaContext }): Child {
  return (
    <>
      <h4>Responses</h4>
      <ul class="responses">
        {Object.entries(responses).map(([status, response]) => (
          <li>
            <span class={`status s${status.charAt(0)}`}>{status}</span>
            <Inline text={response.description ?? ''} />
            {/* Error bodies all share the envelope: name it and link to it rather than repeat it. */}
            <Contents content={response.content} ctx={ctx} compact={Number(status) >= 400} />
          </li>
        ))}
      </ul>
    </>
  );
}

export function OperationView(props: { method: string; path: string; operation: Operation; ctx: SchemaContext }): Child {
  const { method, path, operation, ctx } = props;
  const body = operation.requestBody;
  return (
    <article class="op" id={operationAnchor(method, path)}>
      <h3>
        <span class={`m m-${method}`}>{method.toUpperCase()}</span>
        <code class="path">{path}</code>
      </h3>
      {operation.summary && <p class="summary"><Inline text={operation.summary} /></p>}
      {operation.deprecated && <p class="note">Deprecated.</p>}
      <Markdown text={operation.description} />
      <Auth security={operation.security} />
      {operation.parameters && operation.parameters.length > 0 && <Parameters parameters={operation.parameters} />}
      {body && (
        <>
          <h4>Request body {body.required ? '(required)' : '(optional)'}</h4>
          <Markdown text={body.description} />
          <Contents content={body.content} ctx={ctx} compact={false} />
        </>
      )}
      {operation.responses && <Responses responses={operation.responses} ctx={ctx} />}
    </article>
  );
}

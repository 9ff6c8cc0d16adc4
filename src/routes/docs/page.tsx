// The API reference page, rendered on the server from the OpenAPI document: an introduction (the document's
// description), a table of contents, the operations grouped by tag, then every named schema. One inline
// stylesheet, no scripts, nothing fetched from elsewhere: it works offline and under a strict CSP.
import type { Child } from 'hono/jsx';
import { Markdown } from './markdown.tsx';
import { type Body, METHODS, type Operation, operationAnchor, OperationView, type Parameter } from './operation.tsx';
import { type JsonSchema, type SchemaContext, schemaAnchor, SchemaView } from './schema-view.tsx';
import { HtmlPage } from '../html-page.tsx';
import { css } from './style.ts';

type Ref = { $ref: string };
type MaybeRef<T> = T | Ref;

/** The parts of an OpenAPI 3.1 document the page reads. */
export interface ApiDocument {
  info: { title: string; version: string; description?: string };
  tags?: { name: string; description?: string }[];
  paths?: Record<string, Record<string, unknown> & { parameters?: MaybeRef<Parameter>[] }>;
  components?: {
    schemas?: Record<string, JsonSchema>;
    parameters?: Record<string, Parameter>;
    requestBodies?: Record<string, Body>;
    responses?: Record<string, Body>;
  };
}

interface Entry {
  method: string;
  path: string;
  operation: Operation;
}

const UNTAGGED = 'Other';
const tagAnchor = (name: string) => `tag-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

function resolver(document: ApiDocument) {
  const components = document.components ?? {};
  return <T,>(value: MaybeRef<T>, kind: 'parameters' | 'requestBodies' | 'responses'): T | undefined => {
    if (value && typeof value === 'object' && '$ref' in value) {
      const name = value.$ref.split('/').pop() ?? '';
      return components[kind]?.[name] as T | undefined;
    }
    return value;
  };
}

/** Every operation, with references to shared parameters, bodies and responses replaced by what they name. */
function entries(document: ApiDocument): Entry[] {
  const resolve = resolver(document);
  const list: Entry[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const raw = item[method] as (Operation & { parameters?: MaybeRef<Parameter>[] }) | undefined;
      if (!raw) continue;
      const parameters = [...(item.parameters ?? []), ...(raw.parameters ?? [])]
        .map((p) => resolve(p, 'parameters'))
        .filter((p): p is Parameter => p !== undefined);
      const requestBody = raw.requestBody ? resolve<Body>(raw.requestBody as MaybeRef<Body>, 'requestBodies') : undefined;
      const responses = Object.fromEntries(
        Object.entries(raw.responses ?? {}).flatMap(([status, r]) => {
          const response = resolve<Body>(r as MaybeRef<Body>, 'responses');
          return response ? [[status, response] as const] : [];
        }),
      );
      list.push({ method, path, operation: { ...raw, parameters, requestBody, responses } });
    }
  }
  return list;
}

/** The tags in the document's order, then any tag only an operation names, then the untagged operations. */
function groups(document: ApiDocument, all: Entry[]) {
  const names = [...(document.tags ?? []).map((t) => t.name)];
  for (const { operation } of all) for (const tag of operation.tags ?? [UNTAGGED]) if (!names.includes(tag)) names.push(tag);
  return names
    .map((name) => ({
      name,
      description: document.tags?.find((t) => t.name === name)?.description,
      entries: all.filter(({ operation }) => (operation.tags?.length ? operation.tags : [UNTAGGED]).includes(name)),
    }))
    .filter((group) => group.entries.length > 0);
}

export function Page({ document }: { document: ApiDocument }): Child {
  const schemas = document.components?.schemas ?? {};
  const ctx: SchemaContext = { components: schemas, seen: new Set(), depth: 0 };
  const tagged = groups(document, entries(document));
  const { title, version, description } = document.info;
  return (
    <HtmlPage title={`${title} API reference`} css={css}>
      <header class="top">
        <h1>{title} API <span class="version">v{version}</span></h1>
        <p>Rendered from the OpenAPI 3.1 document at <a href="/openapi.json">/openapi.json</a>.</p>
      </header>
      <div class="layout">
        <nav class="toc" aria-label="Contents">
          <h2>Contents</h2>
          <ul>
            <li><a href="#introduction">Introduction</a></li>
            {tagged.map((group) => (
              <li>
                <a href={`#${tagAnchor(group.name)}`}>{group.name}</a>
                <ul>
                  {group.entries.map(({ method, path }) => (
                    <li><a href={`#${operationAnchor(method, path)}`}><span class={`m m-${method}`}>{method.toUpperCase()}</span> {path}</a></li>
                  ))}
                </ul>
              </li>
            ))}
            {Object.keys(schemas).length > 0 && <li><a href="#schemas">Schemas</a></li>}
          </ul>
        </nav>
        <main>
          <section id="introduction">
            <h2>Introduction</h2>
            <Markdown text={description} />
          </section>
          {tagged.map((group) => (
            <section class="tag" id={tagAnchor(group.name)}>
              <h2>{group.name}</h2>
              <Markdown text={group.description} />
              {group.entries.map((entry) => <OperationView {...entry} ctx={ctx} />)}
            </section>
          ))}
          {Object.keys(schemas).length > 0 && (
            <section id="schemas">
              <h2>Schemas</h2>
              {Object.entries(schemas).map(([name, schema]) => (
                <article class="component" id={schemaAnchor(name)}>
                  <h3>{name}</h3>
                  <SchemaView schema={schema} ctx={{ ...ctx, seen: new Set([`#/components/schemas/${name}`]) }} />
                </article>
              ))}
            </section>
          )}
        </main>
      </div>
    </HtmlPage>
  );
}

/** The whole page as one string, ready to cache. */
export async function renderPage(document: ApiDocument): Promise<string> {
  return `<!DOCTYPE html>${await (<Page document={document} />).toString()}`;
}

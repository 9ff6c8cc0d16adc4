// The little Markdown the document's descriptions use: paragraphs, `- ` lists, `code`, **bold** and *emphasis*.
// Everything else is shown as plain (escaped) text, so no description can inject markup into the page.
import type { Child } from 'hono/jsx';

const INLINE = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*)/;

export function Inline({ text }: { text: string }): Child {
  return (
    <>
      {text.split(INLINE).map((part) => {
        if (part.startsWith('`') && part.endsWith('`') && part.length > 1) return <code>{part.slice(1, -1)}</code>;
        if (part.startsWith('**') && part.endsWith('**') && part.length > 3) return <strong>{part.slice(2, -2)}</strong>;
        if (part.startsWith('*') && part.endsWith('*') && part.length > 1) return <em>{part.slice(1, -1)}</em>;
        return part;
      })}
    </>
  );
}

export function Markdown({ text }: { text: string | undefined }): Child {
  if (!text) return null;
  const blocks = text.trim().split(/\n\s*\n/);
  return (
    <div class="md">
      {blocks.map((block) => {
        const lines = block.split('\n').map((line) => line.trim());
        if (lines.every((line) => line.startsWith('- '))) {
          return <ul>{lines.map((line) => <li><Inline text={line.slice(2)} /></li>)}</ul>;
        }
        return <p><Inline text={lines.join(' ')} /></p>;
      })}
    </div>
  );
}

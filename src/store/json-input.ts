/**
 * JSON documents given by users (models, configs, training logs, batches), read alike: a
 * leading byte-order mark is dropped as it is in CSV and JSON-lines inputs, and a parse error
 * is one short line (JSON.parse quotes the input, which may span lines).
 */

/** `text` without a leading UTF-8 byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** JSON.parse of `text` (BOM dropped); throws Error with a one-line message on bad JSON. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(stripBom(text));
  } catch (e) {
    const msg = (e as Error).message.replace(/\s+/g, ' ');
    throw new Error(msg.length > 200 ? `${msg.slice(0, 200)}…` : msg);
  }
}

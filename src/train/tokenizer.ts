/**
 * GPT-2's byte-level BPE (the `r50k_base` ranks, shared by GPT-2, DistilGPT-2 and GPT-3),
 * from the `gpt-tokenizer` package: pure JavaScript with the ranks inside the package, so it
 * never touches the network.
 */
import { createRequire } from 'node:module';
import type * as R50k from 'gpt-tokenizer/encoding/r50k_base';

/** `<|endoftext|>`: GPT-2's only special token, used as both end-of-text and padding. */
export const EOT = 50256;
/** Ids are in [0, VOCAB_SIZE); 50257 for GPT-2 (50256 BPE merges and bytes, plus EOT). */
export const VOCAB_SIZE = 50257;

/**
 * Loaded on first use, not at import: parsing the 0.5 MB of ranks takes about 100–150 ms
 * (measured on Node 20), which commands that never tokenise should not pay. `require` of the
 * package's CommonJS build keeps encode/decode synchronous; a dynamic import() would not.
 */
let encoding: typeof R50k | undefined;
function load(): typeof R50k {
  encoding ??= createRequire(import.meta.url)('gpt-tokenizer/encoding/r50k_base') as typeof R50k;
  return encoding;
}

/** No special tokens are recognised in text: a literal `<|endoftext|>` in data is just characters. */
const PLAIN_TEXT = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

/**
 * Token ids of `text`. Unlike Hugging Face's GPT-2 tokenizer, a literal `<|endoftext|>` in the
 * text is encoded as ordinary characters, so data can never fake a document boundary; EOT only
 * comes from encodeWithEot.
 */
export function encode(text: string): number[] {
  return load().encode(text, PLAIN_TEXT);
}

/** `text` then EOT: one training document. */
export function encodeWithEot(text: string): number[] {
  const ids = encode(text);
  ids.push(EOT);
  return ids;
}

/**
 * Characters encoded at a time by encodePrefix. GPT-2's BPE is quadratic in the length of a
 * run without whitespace (measured: 10,000 letters 0.24 s, 100,000 letters 13 s), so text is
 * cut into parts of at most this many characters, at the start of a whitespace run where there
 * is one: GPT-2's pre-tokenizer splits there too, so the tokens are the same as for the whole.
 */
const PART_CHARS = 2048;

/** Where to cut `text` after `from`: the start of the last whitespace run in the next PART_CHARS characters, else PART_CHARS on. */
function partEnd(text: string, from: number): number {
  const end = from + PART_CHARS;
  if (end >= text.length) return text.length;
  for (let i = end; i > from + 1; i--) {
    if (/\s/.test(text[i]!) && !/\s/.test(text[i - 1]!)) return i;
  }
  return end;
}

/**
 * The first `max` ids of encodeWithEot(text), in time linear in what is kept rather than in
 * the text: parts are encoded until `max` ids are there. A run of over PART_CHARS characters
 * without whitespace (not language) is cut into parts, so its ids may differ from a whole
 * encoding at the cuts.
 */
export function encodePrefixWithEot(text: string, max: number): number[] {
  const ids: number[] = [];
  for (let at = 0; at < text.length && ids.length < max; ) {
    const end = partEnd(text, at);
    for (const id of encode(text.slice(at, end))) ids.push(id);
    at = end;
  }
  if (ids.length < max) ids.push(EOT);
  return ids.slice(0, max);
}

/** Text of `ids` (EOT decodes to `<|endoftext|>`); throws on an id outside the vocabulary. */
export function decode(ids: readonly number[]): string {
  return load().decode(ids);
}

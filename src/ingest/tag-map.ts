/**
 * Which tag (TensorBoard) or metric key (MLflow) fills which field. Each field has candidates in
 * order of preference; the first one present in the input is used for every step, so a field
 * never mixes two tags. A trailing `*` matches a prefix (Lightning's LearningRateMonitor names
 * its tags after the optimizer: `lr-AdamW`, `lr-SGD/pg1`); among several matches the
 * alphabetically first wins (`lr-AdamW` before `lr-AdamW/pg2`).
 */
import { RleError } from '../errors.js';
import { FIELDS, type Field, type TagMap } from './types.js';

export const DEFAULT_TAGS: Readonly<Record<Field, readonly string[]>> = {
  // HF Trainer → TensorBoard prefixes `train/`; HF → MLflow does not. HF's end-of-run
  // `train_loss` (→ `train/train_loss`) is the run's mean, so plain `train_loss` comes after
  // `loss`: it is Lightning's per-step name when the step loss is the only one logged.
  loss: ['train/loss', 'loss', 'train_loss_step', 'train_loss'],
  grad_norm: ['train/grad_norm', 'grad_norm', 'train/gradient_norm', 'gradient_norm'],
  learning_rate: ['train/learning_rate', 'learning_rate', 'train/lr', 'lr', 'lr-*'],
  epoch: ['train/epoch', 'epoch'],
  // `num_input_tokens_seen` is HF's running total (include_num_input_tokens_seen): see isCumulative.
  tokens: ['train/tokens', 'tokens', 'train/num_input_tokens_seen', 'num_input_tokens_seen'],
};

/** Whether a tag's values are a running total (HF's `num_input_tokens_seen`) rather than per step. */
export function isCumulative(tag: string): boolean {
  return tag === 'num_input_tokens_seen' || tag.endsWith('/num_input_tokens_seen');
}

function matches(pattern: string, tag: string): boolean {
  return pattern.endsWith('*') ? tag.startsWith(pattern.slice(0, -1)) : tag === pattern;
}

/**
 * `loss=my/loss,grad_norm=gn` → `{ loss: 'my/loss', grad_norm: 'gn' }`. Fields left out keep
 * their defaults. Tags may contain `/`, `-`, `.` and a trailing `*`; not `,` or `=`.
 */
export function parseTagMap(raw: string): TagMap {
  const map: TagMap = {};
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw new RleError('E_OPTION', 'tag map is empty; expected field=tag[,field=tag…]');
  for (const part of parts) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw new RleError('E_OPTION', `tag map entry "${part}" has no "="; expected field=tag (fields: ${FIELDS.join(', ')})`);
    const field = part.slice(0, eq).trim();
    const tag = part.slice(eq + 1).trim();
    if (!(FIELDS as readonly string[]).includes(field)) {
      throw new RleError('E_OPTION', `tag map: unknown field "${field}"; fields are ${FIELDS.join(', ')}`);
    }
    if (tag === '' || tag.includes('=')) throw new RleError('E_OPTION', `tag map: field "${field}" needs one tag after "="`);
    if (tag.indexOf('*') >= 0 && tag.indexOf('*') !== tag.length - 1) {
      throw new RleError('E_OPTION', `tag map: "${tag}": "*" is allowed only at the end (a prefix)`);
    }
    if (map[field as Field] !== undefined) throw new RleError('E_OPTION', `tag map: field "${field}" given twice`);
    map[field as Field] = tag;
  }
  return map;
}

/** The candidates of each field under a user map: a mapped field has only the user's tag. */
export class TagResolver {
  private readonly candidates: Record<Field, readonly string[]>;
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];

  constructor(user: TagMap = {}) {
    const c = {} as Record<Field, readonly string[]>;
    for (const f of FIELDS) c[f] = user[f] !== undefined ? [user[f]] : DEFAULT_TAGS[f];
    this.candidates = c;
    for (const list of Object.values(c)) {
      for (const p of list) {
        if (p.endsWith('*')) this.prefixes.push(p.slice(0, -1));
        else this.exact.add(p);
      }
    }
  }

  /** Whether some field could take its values from this tag (the only tags whose values are kept). */
  wants(tag: string): boolean {
    return this.exact.has(tag) || this.prefixes.some((p) => tag.startsWith(p));
  }

  /** Field → the tag it will use, given the tags that carried values; warns about mapped tags not found. */
  choose(present: Iterable<string>, user: TagMap, warnings: string[]): Partial<Record<Field, string>> {
    const tags = [...present].sort();
    const out: Partial<Record<Field, string>> = {};
    for (const f of FIELDS) {
      for (const pattern of this.candidates[f]) {
        const hit = tags.find((t) => matches(pattern, t));
        if (hit !== undefined) {
          out[f] = hit;
          break;
        }
      }
      if (user[f] !== undefined && out[f] === undefined) warnings.push(`tag map: no values under "${user[f]}" for ${f}`);
    }
    return out;
  }
}

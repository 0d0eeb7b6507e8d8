/**
 * The parts of TensorFlow's `Event` protocol buffer a scalar import needs, decoded with
 * protobufjs. Field numbers are those of tensorflow/core/util/event.proto and
 * core/framework/{summary,tensor,tensor_shape}.proto; fields left out (graphs, images,
 * histograms, audio) are skipped by the decoder without being built.
 */
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package tensorboard;
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what { string file_version = 3; Summary summary = 5; }
}
message Summary {
  message Value {
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value { float simple_value = 2; TensorProto tensor = 8; }
  }
  repeated Value value = 1;
}
message SummaryMetadata {
  message PluginData { string plugin_name = 1; bytes content = 2; }
  PluginData plugin_data = 1;
}
message TensorShapeProto {
  message Dim { int64 size = 1; string name = 2; }
  repeated Dim dim = 2;
}
message TensorProto {
  int32 dtype = 1;
  TensorShapeProto tensor_shape = 2;
  bytes tensor_content = 4;
  repeated float float_val = 5;
  repeated double double_val = 6;
}
`;

/** tensorflow/core/framework/types.proto */
const DT_FLOAT = 1;
const DT_DOUBLE = 2;

/** int64 fields arrive as numbers or as Long objects (protobufjs uses `long` when installed). */
type Int64 = number | { toNumber(): number };

interface TensorMsg {
  dtype: number;
  tensor_shape?: { dim: { size: Int64 }[] } | null;
  tensor_content: Uint8Array;
  float_val: number[];
  double_val: number[];
}
interface ValueMsg {
  tag: string;
  simple_value?: number;
  tensor?: TensorMsg | null;
}
interface EventMsg {
  wall_time: number;
  step: Int64;
  file_version?: string;
  summary?: { value: ValueMsg[] } | null;
}

const EVENT = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('tensorboard.Event');

export interface EventValue {
  readonly tag: string;
  /** The scalar, or null for a value that is not one (image, histogram, text, a tensor of several elements). */
  readonly value: number | null;
  /** Stored as float32 (simple_value, DT_FLOAT): see float32Shortest. */
  readonly float32: boolean;
}

export interface DecodedEvent {
  readonly wall_time: number;
  /** The step; NaN when the int64 is outside the safe integer range. */
  readonly step: number;
  readonly file_version: string | null;
  readonly values: readonly EventValue[];
}

const int64 = (v: Int64): number => {
  const n = typeof v === 'number' ? v : v.toNumber();
  return Number.isSafeInteger(n) ? n : NaN;
};

const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/**
 * The shortest decimal that is the same float32 (what numpy prints for a float32): a loss
 * logged as 4.5152 is stored as float32 and would read back as 4.515200138092041.
 */
export function float32Shortest(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  // 9 significant digits always round-trip a float32, and if p digits do, p + 1 do too: bisect
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(x.toPrecision(mid))) === x) hi = mid;
    else lo = mid + 1;
  }
  return Number(x.toPrecision(lo));
}

/** A scalar tensor's value (TF2 `tf.summary.scalar`, tensorboardX `new_style`), or null. */
function tensorScalar(t: TensorMsg): number | null {
  const dims = t.tensor_shape?.dim ?? [];
  if (dims.some((d) => int64(d.size) !== 1)) return null;
  // TF2's C++ writer stores the value little-endian in tensor_content; Python writers use the *_val lists.
  const c = t.tensor_content instanceof Uint8Array ? t.tensor_content : new Uint8Array(0);
  const le = (): DataView => new DataView(c.buffer, c.byteOffset, c.byteLength);
  if (t.dtype === DT_FLOAT) {
    if (c.byteLength === 4) return le().getFloat32(0, true);
    return c.byteLength === 0 && t.float_val.length === 1 ? t.float_val[0]! : null;
  }
  if (t.dtype === DT_DOUBLE) {
    if (c.byteLength === 8) return le().getFloat64(0, true);
    return c.byteLength === 0 && t.double_val.length === 1 ? t.double_val[0]! : null;
  }
  return null;
}

/** Decodes one event record's payload; throws protobufjs's error on malformed bytes. */
export function decodeEvent(data: Uint8Array): DecodedEvent {
  const ev = EVENT.decode(data) as unknown as EventMsg;
  const values: EventValue[] = [];
  for (const v of ev.summary?.value ?? []) {
    if (has(v, 'simple_value')) values.push({ tag: v.tag, value: v.simple_value!, float32: true });
    else if (v.tensor) values.push({ tag: v.tag, value: tensorScalar(v.tensor), float32: v.tensor.dtype === DT_FLOAT });
    else values.push({ tag: v.tag, value: null, float32: false });
  }
  return { wall_time: ev.wall_time, step: int64(ev.step), file_version: has(ev, 'file_version') ? ev.file_version! : null, values };
}

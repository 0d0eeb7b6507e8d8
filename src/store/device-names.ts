/**
 * The devices of a session file as the reader meets them: each field's text is trimmed and
 * checked once (sessions name a handful of devices on ~170,000 rows a day), and each device
 * keeps the time of its last row, for the count of rows going back in time.
 */

/** A device of the file, and the time of its last row (−∞ before the first), Unix seconds. */
export interface DeviceState {
  readonly name: string;
  lastT: number;
}

/** Control characters (a device name with them is not a name: the row is malformed). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** How many distinct device fields are remembered by their text (a file of more is no session, and is read all the same). */
const MAX_REMEMBERED = 256;

export class DeviceNames {
  private readonly byName = new Map<string, DeviceState>();
  private readonly byText = new Map<string, DeviceState | null>();

  /** The device a (trimmed) name stands for; null when it is not a name (empty, or with control characters). */
  named(name: string): DeviceState | null {
    if (name === '' || CONTROL.test(name)) return null;
    let d = this.byName.get(name);
    if (!d) this.byName.set(name, (d = { name, lastT: Number.NEGATIVE_INFINITY }));
    return d;
  }

  /** The device a device field names, as written (untrimmed), remembered by that text. */
  inField(raw: string): DeviceState | null {
    let d = this.byText.get(raw);
    if (d === undefined) {
      d = this.named(raw.trim());
      if (this.byText.size < MAX_REMEMBERED) this.byText.set(raw, d);
    }
    return d;
  }
}

// Reads GMX v2's EventUtils.EventLogData by key name. Every EventEmitter event (EventLog,
// EventLog1, EventLog2) carries one, a tuple of seven typed groups in this order
// (gmx-io/gmx-synthetics contracts/event/EventUtils.sol, struct EventLogData):
//   0 addressItems  1 uintItems  2 intItems  3 boolItems  4 bytes32Items  5 bytesItems  6 stringItems
// each group a tuple (items: (string key, T value)[], arrayItems: (string key, T[] value)[]).
// The generated struct classes differ per event but all extend ethereum.Tuple, so one reader
// serves the three events. Emitters set items by position, but readers go by key: GMX has moved
// items between groups across versions (PositionIncrease's collateralDeltaAmount is an int item,
// PositionDecrease's a uint item), and a key is what the emitter names.
import { Address, BigInt, Bytes, ethereum } from '@graphprotocol/graph-ts';

const ADDRESS_ITEMS = 0;
const UINT_ITEMS = 1;
const INT_ITEMS = 2;
const BOOL_ITEMS = 3;
const BYTES32_ITEMS = 4;
const BYTES_ITEMS = 5;
const STRING_ITEMS = 6;

export class EventData {
  constructor(public readonly data: ethereum.Tuple) {}

  /** The value of the single (non-array) item `key` in `group`, or null when there is none. */
  private item(group: i32, key: string): ethereum.Value | null {
    let items = this.data[group].toTuple()[0].toTupleArray<ethereum.Tuple>();
    for (let i = 0; i < items.length; i++) {
      if (items[i][0].toString() == key) return items[i][1];
    }
    return null;
  }

  has(group: i32, key: string): boolean {
    return this.item(group, key) !== null;
  }

  address(key: string): Address | null {
    let v = this.item(ADDRESS_ITEMS, key);
    return v === null ? null : v.toAddress();
  }

  uint(key: string): BigInt | null {
    let v = this.item(UINT_ITEMS, key);
    return v === null ? null : v.toBigInt();
  }

  int(key: string): BigInt | null {
    let v = this.item(INT_ITEMS, key);
    return v === null ? null : v.toBigInt();
  }

  /** A number the emitter may put in the uint or the int group (see the header). */
  number(key: string): BigInt | null {
    let u = this.uint(key);
    return u !== null ? u : this.int(key);
  }

  hasBool(key: string): boolean {
    return this.has(BOOL_ITEMS, key);
  }

  /** The bool item `key`; false when absent (check hasBool where absence matters). */
  bool(key: string): boolean {
    let v = this.item(BOOL_ITEMS, key);
    return v === null ? false : v.toBoolean();
  }

  bytes32(key: string): Bytes | null {
    let v = this.item(BYTES32_ITEMS, key);
    return v === null ? null : v.toBytes();
  }

  bytes(key: string): Bytes | null {
    let v = this.item(BYTES_ITEMS, key);
    return v === null ? null : v.toBytes();
  }

  string(key: string): string | null {
    let v = this.item(STRING_ITEMS, key);
    return v === null ? null : v.toString();
  }
}

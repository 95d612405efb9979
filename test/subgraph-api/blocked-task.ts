/** A reader task module whose queries never finish (until their worker is terminated): a lane whose workers are all busy. */
export function openStores(): number {
  return 0;
}

export function query(): Promise<never> {
  return new Promise(() => setInterval(() => undefined, 1_000_000));
}

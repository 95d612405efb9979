import type { Capabilities } from './api';

/** A hash route's view: it renders into root, and renders again when a block is indexed (main.ts). */
export interface View {
  title: string;
  /** params: the route's parts after its name (#/deployment/gmx-v1/arbitrum-one: ['gmx-v1', 'arbitrum-one']). */
  render(root: HTMLElement, caps: Capabilities, params: string[]): Promise<void>;
  /** Live re-render: only the figures that a new block changes; default: render again. */
  refresh?(root: HTMLElement, caps: Capabilities, params: string[]): Promise<void>;
}

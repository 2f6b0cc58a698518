// TypeScript declarations for embed.js: `mount()` and its options, the handle it returns, every
// host event's `detail`, and the two custom elements (for `document.createElement`,
// `querySelector` and JSX). The widget's README section "Embedding" says what each does.

/** `light` or `dark` pins the colours; `auto` (the default) follows the system, live. */
export type ColorScheme = 'light' | 'dark' | 'auto';

/** A report's status, as the API names it. */
export type ReportStatus = 'submitted' | 'under_review' | 'removed' | 'kept';

/** A catalog of your own: message key → text (or plural forms), as in `locales/en.json`. */
export type Messages = Readonly<Record<string, string | Readonly<Record<string, string>>>>;

interface CommonOptions {
  /** Where `/api/v1` lives: `""` is the page's own origin. */
  apiBase?: string;
  /** A BCP 47 tag or a list of them, best first (the host page's `lang` when left out). */
  locale?: string | readonly string[];
  /** Your own wording, as JSON text or an object by key; the rest stays the widget's. */
  messages?: string | Messages;
  colorScheme?: ColorScheme;
}

/** The client's contracts: the history, or one contract's details. */
export interface ContractFeedbackOptions extends CommonOptions {
  view?: 'contracts';
  /** The access token; prefer `getToken`, which is asked before each request. */
  token?: string;
  getToken?: () => string | Promise<string>;
  /** Open this contract's details instead of the history. */
  contractId?: number;
}

/** A freelancer's public work history (no token). */
export interface WorkHistoryOptions extends CommonOptions {
  view: 'work-history';
  freelancerId: number;
}

export type MountOptions = ContractFeedbackOptions | WorkHistoryOptions;

/** A mounted widget. */
export interface WidgetHandle {
  /** Removes the widget and stops its timers, listeners and requests. */
  unmount(): void;
  /** Frees the handle itself (after `unmount`). */
  free(): void;
}

/** Mounts the widget into `element`'s shadow root. */
export function mount(element: HTMLElement, options?: MountOptions): Promise<WidgetHandle>;

/** Every event a widget sends its host element, by name, with its `detail`. */
export interface WidgetEventDetails {
  ready: Record<string, never>;
  'contract-opened': { contractId: number; title: string };
  'response-posted': { contractId: number };
  'report-submitted': { contractId: number };
  'removal-requested': { contractId: number };
  'report-status-changed': { contractId: number; status: ReportStatus; previous: ReportStatus };
  /** `code`: the API problem's slug (`already-responded`, `not-found`, …), or `network`,
   *  `timeout`, `bad-response`. */
  error: { code: string; message: string };
}

export type WidgetEventMap = { [K in keyof WidgetEventDetails]: CustomEvent<WidgetEventDetails[K]> };

interface WidgetElement extends HTMLElement {
  addEventListener<K extends keyof WidgetEventMap>(
    type: K,
    listener: (this: this, ev: WidgetEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: this, ev: HTMLElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof WidgetEventMap>(
    type: K,
    listener: (this: this, ev: WidgetEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/** `<contract-feedback>`: attributes `api-base`, `token`, `contract-id`, `locale`, `color-scheme`. */
export interface ContractFeedbackElement extends WidgetElement {
  /** Asked for the access token before each request (set it before the element connects). */
  getToken?: () => string | Promise<string>;
}

/** `<freelancer-work-history>`: attributes `api-base`, `freelancer-id`, `locale`, `color-scheme`. */
export interface FreelancerWorkHistoryElement extends WidgetElement {}

/** What both elements take in JSX (React, Preact, Solid …: attribute names as in HTML). */
interface WidgetAttributes {
  'api-base'?: string;
  locale?: string;
  'color-scheme'?: ColorScheme;
  class?: string;
  className?: string;
  id?: string;
  ref?: unknown;
  key?: string | number;
}

export interface ContractFeedbackAttributes extends WidgetAttributes {
  token?: string;
  'contract-id'?: string | number;
}

export interface FreelancerWorkHistoryAttributes extends WidgetAttributes {
  'freelancer-id': string | number;
}

declare global {
  interface HTMLElementTagNameMap {
    'contract-feedback': ContractFeedbackElement;
    'freelancer-work-history': FreelancerWorkHistoryElement;
  }
  // JSX (the global namespace React ≤ 18, Preact and others read; for React 19's
  // `React.JSX`, see the README's React example).
  namespace JSX {
    interface IntrinsicElements {
      'contract-feedback': ContractFeedbackAttributes;
      'freelancer-work-history': FreelancerWorkHistoryAttributes;
    }
  }
}

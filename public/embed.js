// The feedback widget's loader: one small module next to the wasm. It defines the
// <contract-feedback> and <freelancer-work-history> elements and re-exports `mount` for hosts
// that prefer a JS call.
//
//   <script type="module" src="https://your-cdn.example/widget/embed.js"></script>
//   <contract-feedback api-base="https://api.example.com" contract-id="123"></contract-feedback>
//   <freelancer-work-history api-base="https://api.example.com" freelancer-id="7"></freelancer-work-history>
//
// Pass the access token as a `token` attribute, or (better) set `element.getToken = async () => …`
// before the element is connected. The widget never reads the host's cookies or storage.
import init, { mount as mountWasm } from './feedback-widget.js';

const ready = init({ module_or_path: new URL('./feedback-widget_bg.wasm', import.meta.url) });

// A widget for one contract shows the contract page, whose code is in chunks of its own
// (build/split.mjs): fetched as soon as such an element appears, beside the main module, not
// after it. The chunk loader takes these responses up (post_build.mjs fills in the names and
// their integrity).
const PAGE_CHUNKS = 'fw-page-chunks';
let pageChunksFetched = false;
function fetchPageChunks() {
  if (pageChunksFetched) return;
  pageChunksFetched = true;
  globalThis.__fwChunks = globalThis.__fwChunks || {};
  for (const [name, integrity] of Object.entries(PAGE_CHUNKS)) {
    const url = new URL(name, import.meta.url).href;
    globalThis.__fwChunks[url] = fetch(url, { integrity });
    globalThis.__fwChunks[url].catch(() => {});
  }
}
const styleUrl = new URL('./main.css', import.meta.url).href;
const localesUrl = new URL('./locales/', import.meta.url).href;

/** mount(element, { apiBase, token | getToken, contractId, locale, messages, colorScheme }) → Promise<{ unmount() }>
 *  mount(element, { view: 'work-history', freelancerId, apiBase, locale, … }): a freelancer's public work history (no token).
 *  (the element's `color-scheme` attribute — light, dark, auto — is read by the widget's CSS). */
export async function mount(element, options = {}) {
  await ready;
  return mountWasm(element, { styleUrl, localesUrl, ...options });
}

// What both elements share: mounted once the wasm is ready, again when an attribute it was
// mounted with changes, unmounted when removed. Each element says what it is mounted with.
class WidgetElement extends HTMLElement {
  async connectedCallback() {
    const generation = (this._generation = (this._generation ?? 0) + 1);
    await ready;
    // Disconnected (or re-connected) while the wasm was loading: that later call wins.
    if (!this.isConnected || generation !== this._generation || this._handle) return;
    this._handle = mountWasm(this, {
      styleUrl,
      localesUrl,
      apiBase: this.getAttribute('api-base') ?? '',
      locale: this.getAttribute('locale') ?? undefined,
      ...this.options(),
    });
  }

  // A changed attribute on a mounted widget mounts it again with the new value (drafts are
  // kept in storage, so nothing typed is lost). Before the first mount nothing is needed:
  // connectedCallback reads the attributes once the wasm is ready.
  attributeChangedCallback(_name, before, now) {
    if (before === now || !this._handle) return;
    this.disconnectedCallback();
    this.connectedCallback();
  }

  disconnectedCallback() {
    this._generation = (this._generation ?? 0) + 1;
    this._handle?.unmount();
    this._handle?.free();
    this._handle = undefined;
  }
}

class ContractFeedback extends WidgetElement {
  // What the widget is mounted with; `color-scheme` is read by its CSS and needs no remount.
  static observedAttributes = ['api-base', 'token', 'contract-id', 'locale'];

  connectedCallback() {
    if (this.getAttribute('contract-id')) fetchPageChunks();
    return super.connectedCallback();
  }

  options() {
    const contractId = this.getAttribute('contract-id');
    return {
      token: this.getAttribute('token') ?? undefined,
      getToken: typeof this.getToken === 'function' ? this.getToken : undefined,
      contractId: contractId ? Number(contractId) : undefined,
    };
  }
}

// A freelancer's public work history: where a client's response appears. No token.
class FreelancerWorkHistory extends WidgetElement {
  static observedAttributes = ['api-base', 'freelancer-id', 'locale'];

  options() {
    return { view: 'work-history', freelancerId: this.getAttribute('freelancer-id') ?? undefined };
  }
}

for (const [name, element] of [['contract-feedback', ContractFeedback], ['freelancer-work-history', FreelancerWorkHistory]]) {
  if (!customElements.get(name)) customElements.define(name, element);
}

// The feedback widget's loader: one small module next to the wasm. It defines the
// <contract-feedback> element and re-exports `mount` for hosts that prefer a JS call.
//
//   <script type="module" src="https://your-cdn.example/widget/embed.js"></script>
//   <contract-feedback api-base="https://api.example.com" contract-id="123"></contract-feedback>
//
// Pass the access token as a `token` attribute, or (better) set `element.getToken = async () => …`
// before the element is connected. The widget never reads the host's cookies or storage.
import init, { mount as mountWasm } from './feedback-widget.js';

const ready = init({ module_or_path: new URL('./feedback-widget_bg.wasm', import.meta.url) });
const styleUrl = new URL('./main.css', import.meta.url).href;
const localesUrl = new URL('./locales/', import.meta.url).href;

/** mount(element, { apiBase, token | getToken, contractId, locale, messages, colorScheme }) → Promise<{ unmount() }>
 *  (the element's `color-scheme` attribute — light, dark, auto — is read by the widget's CSS). */
export async function mount(element, options = {}) {
  await ready;
  return mountWasm(element, { styleUrl, localesUrl, ...options });
}

class ContractFeedback extends HTMLElement {
  // What the widget is mounted with; `color-scheme` is read by its CSS and needs no remount.
  static observedAttributes = ['api-base', 'token', 'contract-id', 'locale'];

  async connectedCallback() {
    const generation = (this._generation = (this._generation ?? 0) + 1);
    await ready;
    // Disconnected (or re-connected) while the wasm was loading: that later call wins.
    if (!this.isConnected || generation !== this._generation || this._handle) return;
    const contractId = this.getAttribute('contract-id');
    this._handle = mountWasm(this, {
      styleUrl,
      localesUrl,
      apiBase: this.getAttribute('api-base') ?? '',
      token: this.getAttribute('token') ?? undefined,
      getToken: typeof this.getToken === 'function' ? this.getToken : undefined,
      contractId: contractId ? Number(contractId) : undefined,
      locale: this.getAttribute('locale') ?? undefined,
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

if (!customElements.get('contract-feedback')) {
  customElements.define('contract-feedback', ContractFeedback);
}

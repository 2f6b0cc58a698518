//! The crash screen. After a panic (`panic = "abort"` in release) the wasm instance can't be
//! trusted to run event handlers any more, so the screen and its Reload button are built and
//! wired in plain JavaScript: text only (never HTML), a real `<button>` (a link would be caught
//! by the router's click handler, which lives in the broken wasm), in the standalone page and
//! in every embedded instance, each in its own root.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
const roots = new Set();
const ENGLISH = ['Something went wrong', 'This stopped working. Anything you typed in a response or report is saved on this device. Reload the page to continue.', 'Reload'];
const texts = new Map();
let pageTexts = ENGLISH;
export function register_root(root) { roots.add(root); }
export function unregister_root(root) { roots.delete(root); texts.delete(root); }
// The words in the instance's (or the page's) language, kept ready: after a panic no Rust runs.
export function localize(root, title, body, reload) {
  if (root) texts.set(root, [title, body, reload]); else pageTexts = [title, body, reload];
}

function screen(doc, [title, body, reload]) {
  const section = doc.createElement('section');
  section.className = 'fw-app fw-crashed';
  section.setAttribute('role', 'alert');
  const h = doc.createElement('h1');
  h.textContent = title;
  const p = doc.createElement('p');
  p.textContent = body;
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'fw-button fw-primary';
  button.textContent = reload;
  button.addEventListener('click', (e) => { e.stopPropagation(); location.reload(); });
  section.append(h, p, button);
  return section;
}

export function show_crash() {
  const doc = document;
  // Each embedded instance: keep its stylesheet, replace the rest.
  for (const root of roots) {
    for (const child of [...root.childNodes]) {
      if (!(child.nodeName === 'LINK')) child.remove();
    }
    root.append(screen(doc, texts.get(root) ?? ENGLISH));
  }
  // The standalone page (nothing to do when the page only embeds widgets).
  const apps = [...doc.querySelectorAll('.fw-app:not(.fw-crashed)')];
  if (apps.length || roots.size === 0) {
    apps.forEach((a) => a.remove());
    if (!doc.querySelector('body > .fw-crashed')) doc.body.append(screen(doc, pageTexts));
  }
}
"#)]
extern "C" {
    /// Remembers an embedded instance's shadow root, to show the crash screen there too.
    pub fn register_root(root: &web_sys::ShadowRoot);
    pub fn unregister_root(root: &web_sys::ShadowRoot);
    /// The crash screen's title, text and button in the instance's language (`None`: the page's).
    pub fn localize(root: Option<web_sys::ShadowRoot>, title: &str, body: &str, reload: &str);
    /// Replaces the standalone app and every embedded instance with the crash screen.
    pub fn show_crash();
}

/// On a panic: a readable trace in the console, then the crash screen.
pub fn install_panic_screen() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_crash();
    }));
}

/// Panics on purpose, so tests (and integrators) can see the crash screen in a release build.
#[wasm_bindgen]
pub fn crash_for_testing() {
    panic!("crash_for_testing was called");
}

//! Rendering under Trusted Types (`require-trusted-types-for 'script'`).
//!
//! Leptos builds the static parts of each view from HTML templates written at compile time: it
//! assigns those strings to a `<template>`'s `innerHTML`, which a page enforcing Trusted Types
//! refuses ("This document requires 'TrustedHTML' assignment"), leaving the widget blank. On
//! browsers with Trusted Types, this installs a named policy, [`POLICY`], and routes string
//! assignments to `<template>.innerHTML` through it, but only markup with nothing executable in
//! it (no scripts, frames, event-handler attributes or `javascript:` URLs): anything else is
//! passed on as the plain string it was, so the page's own rules decide about it exactly as
//! before, and the policy can't become a way around the host's. (Probing whether the page
//! enforces Trusted Types would itself report a violation, so the policy is installed wherever
//! the API exists; on a page that doesn't enforce them a TrustedHTML behaves as its string.)
//! Untrusted text never goes through `innerHTML` anyway: it is always set as text. Hosts allow
//! the policy with `trusted-types contract-feedback` (README, CSP).

use wasm_bindgen::prelude::*;

/// The policy name a host lists in its `trusted-types` directive.
pub use feedback_domain::TRUSTED_TYPES_POLICY as POLICY;

#[wasm_bindgen(inline_js = r#"
const UNSAFE = /<\s*(script|iframe|object|embed|frame|base|meta|link)\b|\son[a-z]+\s*=|javascript:/i;
export function install_trusted_templates(name) {
  if (typeof window === 'undefined' || !window.trustedTypes || window.__fwTrustedTemplates) return 'ok';
  let policy;
  try {
    policy = trustedTypes.createPolicy(name, { createHTML: (html) => html });
  } catch (e) {
    return `blocked: ${e && e.message}`;
  }
  // Only markup with nothing executable goes through the policy; anything else is passed on
  // as the plain string it was, so the page's own rules decide about it as before.
  const inner = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML');
  Object.defineProperty(HTMLTemplateElement.prototype, 'innerHTML', {
    configurable: true,
    enumerable: inner.enumerable,
    get() { return inner.get.call(this); },
    set(value) {
      const safe = typeof value === 'string' && !UNSAFE.test(value);
      inner.set.call(this, safe ? policy.createHTML(value) : value);
    },
  });
  window.__fwTrustedTemplates = true;
  return 'ok';
}
"#)]
extern "C" {
    fn install_trusted_templates(name: &str) -> String;
}

/// Makes rendering work on a page that enforces Trusted Types. When the page's CSP does not
/// allow [`POLICY`], says so in the console (the widget can't render there if the page also
/// enforces Trusted Types) and goes on.
pub fn install() {
    let outcome = install_trusted_templates(POLICY);
    if outcome != "ok" {
        web_sys::console::error_1(
            &format!(
                "contract-feedback: this page's Content-Security-Policy does not allow the \
                 widget's Trusted Types policy; add `trusted-types {POLICY}` to it ({outcome})."
            )
            .into(),
        );
    }
}

//! Rendering under Trusted Types (`require-trusted-types-for 'script'`).
//!
//! Leptos builds the static parts of each view from HTML templates written at compile time: it
//! assigns those strings to a `<template>`'s `innerHTML`, which a page enforcing Trusted Types
//! refuses ("This document requires 'TrustedHTML' assignment"), leaving the widget blank. On
//! such a page only, this installs a named policy, [`POLICY`], and routes string assignments to
//! `<template>.innerHTML` through it. The policy vets the markup (no scripts, frames, event
//! handler attributes or `javascript:` URLs), so it can't become a way around the host's own
//! policy. Untrusted text never goes through `innerHTML` anyway: it is always set as text.
//! Hosts allow it with `trusted-types contract-feedback` (README, CSP). Pages that don't enforce
//! Trusted Types are left untouched.

use wasm_bindgen::prelude::*;

/// The policy name a host lists in its `trusted-types` directive.
pub const POLICY: &str = "contract-feedback";

#[wasm_bindgen(inline_js = r#"
const UNSAFE = /<\s*(script|iframe|object|embed|frame|base|meta|link)\b|\son[a-z]+\s*=|javascript:/i;
export function install_trusted_templates(name) {
  if (typeof window === 'undefined' || !window.trustedTypes || window.__fwTrustedTemplates) return 'ok';
  try {
    document.createElement('template').innerHTML = '';
    return 'ok'; // Trusted Types are not enforced here: nothing to do.
  } catch (_) {}
  let policy;
  try {
    policy = trustedTypes.createPolicy(name, {
      createHTML(html) {
        if (UNSAFE.test(html)) throw new TypeError('contract-feedback: refused markup');
        return html;
      },
    });
  } catch (e) {
    return `blocked: ${e && e.message}`;
  }
  const inner = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML');
  Object.defineProperty(HTMLTemplateElement.prototype, 'innerHTML', {
    configurable: true,
    enumerable: inner.enumerable,
    get() { return inner.get.call(this); },
    set(value) { inner.set.call(this, typeof value === 'string' ? policy.createHTML(value) : value); },
  });
  window.__fwTrustedTemplates = true;
  return 'ok';
}
"#)]
extern "C" {
    fn install_trusted_templates(name: &str) -> String;
}

/// Makes rendering work on a page that enforces Trusted Types. `Err` with the reason when the
/// page enforces them but does not allow [`POLICY`].
pub fn install() -> Result<(), String> {
    match install_trusted_templates(POLICY) {
        ok if ok == "ok" => Ok(()),
        blocked => Err(format!(
            "This page enforces Trusted Types but does not allow the widget's policy: add \
             `trusted-types {POLICY}` to its Content-Security-Policy ({blocked})."
        )),
    }
}

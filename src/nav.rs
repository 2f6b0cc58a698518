//! Where the app is, and how it moves. In a page of its own the browser URL is the state
//! (leptos_router); embedded in a host page it is a signal, so the host's URL, history and links
//! are never touched. Pages only talk to `Nav`, so they work the same both ways.

use feedback_domain::{ContractId, FreelancerId};
use leptos::prelude::*;

/// The screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    History,
    /// `None`: the id in the address is not a number.
    Contract(Option<ContractId>),
    /// A freelancer's public work history (`None`: not a number).
    WorkHistory(Option<FreelancerId>),
    NotFound,
}

/// Splits "/contracts/5?tab=details" into its path and decoded query pairs.
pub fn split(location: &str) -> (String, Vec<(String, String)>) {
    let (path, query) = location.split_once('?').unwrap_or((location, ""));
    let pairs = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    (path.to_string(), pairs)
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    js_sys::decode_uri_component(&s)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or(s)
}

pub fn screen_of(path: &str) -> Screen {
    let path = path.trim_end_matches('/');
    match path {
        "" | "/contracts" => Screen::History,
        _ => match (
            path.strip_prefix("/contracts/"),
            path.strip_prefix("/freelancers/"),
        ) {
            (Some(id), _) if !id.contains('/') => Screen::Contract(id.parse().ok()),
            (_, Some(id)) if !id.contains('/') => Screen::WorkHistory(id.parse().ok()),
            _ => Screen::NotFound,
        },
    }
}

/// The app's location and navigation, provided as context by `App` or the widget.
#[derive(Clone, Copy)]
pub struct Nav {
    location: Signal<String>,
    go: Callback<(String, bool)>,
    embedded: bool,
}

impl Nav {
    pub fn new(location: Signal<String>, go: Callback<(String, bool)>, embedded: bool) -> Self {
        Self {
            location,
            go,
            embedded,
        }
    }

    /// An in-memory location for an embedded instance.
    pub fn memory(initial: String) -> Self {
        let location = RwSignal::new(initial);
        Self::new(
            location.into(),
            Callback::new(move |(to, _replace): (String, bool)| location.set(to)),
            true,
        )
    }

    pub fn screen(&self) -> Screen {
        screen_of(&split(&self.location.get()).0)
    }

    pub fn query(&self, key: &str) -> Option<String> {
        split(&self.location.get())
            .1
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn navigate(&self, to: &str, replace: bool) {
        self.go.run((to.to_string(), replace));
    }

    pub fn embedded(&self) -> bool {
        self.embedded
    }
}

/// A link inside the app: a plain left click moves the app's own location (through the router
/// on a page of its own, in memory when embedded, so the host page's URL stays as it is);
/// modified clicks (new tab, new window) are left to the browser.
#[component]
pub fn Link(
    #[prop(into)] href: String,
    #[prop(optional)] rel: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let target = href.clone();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() || ev.button() != 0) {
            ev.prevent_default();
            nav.navigate(&target, false);
        }
    };
    // Embedded links point at a fragment: harmless if opened on their own, never a host route.
    let shown = if nav.embedded() {
        format!("#fw:{href}")
    } else {
        href
    };
    view! { <a href=shown rel=rel on:click=on_click>{children()}</a> }
}

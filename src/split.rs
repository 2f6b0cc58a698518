//! Code kept out of the first view's wasm (docs/architecture.md, "Split points"). A split
//! point is a function whose body, and everything only it reaches, the release build moves to
//! a chunk of its own (`build/split.mjs`), fetched the first time it is called. Leptos 0.8's
//! `#[lazy]` panics when a chunk's fetch fails, which aborts the whole module; these are
//! `fallible`: a failed fetch is an `Err`, retried, and only after the last attempt the crash
//! screen (drafts are already on the device, src/drafts.rs).
//!
//! Without the `split` feature (`cargo test`, `wasm-bindgen-test`) a split point is an
//! ordinary function in the one module.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

/// A chunk could not be fetched (the browser's console has the reason).
#[derive(Clone, Copy, Debug)]
pub struct ChunkError;

#[cfg(feature = "split")]
impl From<wasm_split_helpers::SplitLoaderError> for ChunkError {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        ChunkError
    }
}

/// `split_point!(chunk, static NAME: T = { … })`: `NAME`'s value is computed by code in
/// `chunk`, which is fetched the first time it is needed (or prefetched).
macro_rules! split_point {
    ($chunk:ident, $(#[$attr:meta])* static $point:ident: $ret:ty = $body:block) => {
        $(#[$attr])*
        pub static $point: $crate::split::SplitPoint<$ret> =
            $crate::split::SplitPoint::new(|| Box::pin($chunk::load()));
        mod $chunk {
            #[allow(unused_imports)]
            use super::*;
            #[cfg(feature = "split")]
            #[wasm_split_helpers::wasm_split($chunk, fallible)]
            pub fn load() -> Result<$ret, $crate::split::ChunkError> {
                Ok($body)
            }
            #[cfg(not(feature = "split"))]
            pub async fn load() -> Result<$ret, $crate::split::ChunkError> {
                Ok($body)
            }
        }
    };
}
pub(crate) use split_point;

type ChunkFuture<T> = Pin<Box<dyn Future<Output = Result<T, ChunkError>>>>;

/// A value computed in a chunk, kept once it is here (so later uses need no await).
pub struct SplitPoint<T: 'static> {
    load: fn() -> ChunkFuture<T>,
    ready: OnceLock<T>,
}

impl<T: Copy + Send + Sync + 'static> SplitPoint<T> {
    pub const fn new(load: fn() -> ChunkFuture<T>) -> Self {
        Self {
            load,
            ready: OnceLock::new(),
        }
    }

    /// The value if its chunk is already here.
    pub fn ready(&self) -> Option<T> {
        self.ready.get().copied()
    }

    /// The value, fetching its chunk first if need be (retried). Callers at the same time
    /// share one fetch.
    pub async fn get(&'static self) -> Result<T, ChunkError> {
        if let Some(v) = self.ready() {
            return Ok(v);
        }
        let v = with_retries(self.load).await?;
        Ok(*self.ready.get_or_init(|| v))
    }

    /// Starts fetching the chunk now, without waiting for it. The value is only a function
    /// pointer, so computing it early runs nothing of the page's. A failure is left to
    /// [`get`](Self::get), which tries again when the code is needed.
    pub fn prefetch(&'static self) {
        if self.ready().is_none() {
            leptos::task::spawn_local(async move {
                let _ = self.get().await;
            });
        }
    }
}

/// Waits between attempts: a phone that lost the network for a moment gets it back.
const RETRY_DELAYS_MS: [u32; 3] = [500, 2_000, 6_000];

/// `attempt` until it succeeds, at most once more per delay.
pub async fn with_retries<T, E, Fut>(mut attempt: impl FnMut() -> Fut) -> Result<T, E>
where
    Fut: Future<Output = Result<T, E>>,
{
    let mut result = attempt().await;
    for delay in RETRY_DELAYS_MS {
        if result.is_ok() {
            break;
        }
        TimeoutFuture::new(delay).await;
        result = attempt().await;
    }
    result
}

/// A view built by code in a chunk: at once if the chunk is here; else nothing (the page's
/// own busy state shows) until it is, then the crash screen if it can't be fetched after the
/// retries. Only a plain function pointer crosses into the chunk.
pub fn chunk_view<A>(point: &'static SplitPoint<fn(A) -> AnyView>, args: A) -> AnyView
where
    A: Clone + Send + Sync + 'static,
{
    if let Some(render) = point.ready() {
        return render(args);
    }
    let render = RwSignal::new(None::<fn(A) -> AnyView>);
    leptos::task::spawn_local(async move {
        match point.get().await {
            Ok(f) => render.set(Some(f)),
            Err(ChunkError) => crate::crash::show_crash(),
        }
    });
    (move || render.get().map(|f| f(args.clone()))).into_any()
}

thread_local! {
    static AFTER_CONTENT: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
}

/// At the latest this long after the app starts, the work waiting for the first content runs
/// anyway (a page that shows neither rows nor an editor says nothing).
const CONTENT_FALLBACK_MS: u32 = 3_000;

/// Runs `task` once the first view's content is on screen ([`content_shown`]): prefetching
/// before would take bandwidth from the page's own wasm and data.
pub fn after_first_content(task: impl FnOnce() + 'static) {
    AFTER_CONTENT.with_borrow_mut(|t| t.push(Box::new(task)));
    leptos::task::spawn_local(async {
        TimeoutFuture::new(CONTENT_FALLBACK_MS).await;
        content_shown();
    });
}

/// The page's first content is about to be painted (the marks `cargo xtask bench` reads,
/// src/lib.rs, are set in that frame): the waiting work runs once it has been, so its
/// requests never compete with the page's own (nor count towards its LCP).
pub fn content_shown() {
    let tasks = AFTER_CONTENT.with_borrow_mut(std::mem::take);
    if tasks.is_empty() {
        return;
    }
    request_animation_frame(move || {
        leptos::task::spawn_local(async move {
            // A task after this frame's paint.
            TimeoutFuture::new(0).await;
            for task in tasks {
                task();
            }
        });
    });
}

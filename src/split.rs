//! Code kept out of the first view's wasm (docs/architecture.md, "Split points"). A split
//! point is a function whose body, and everything only it reaches, the release build moves to
//! a chunk of its own (`build/split.mjs`), fetched the first time it is called. Leptos 0.8's
//! `#[lazy]` panics when a chunk's fetch fails, which aborts the whole module; these are
//! `fallible`: a failed fetch is an `Err`, retried, and only after the last attempt the crash
//! screen (drafts are already on the device, src/drafts.rs).
//!
//! Without the `split` feature (`cargo test`, `wasm-bindgen-test`) a split point is an
//! ordinary function in the one module.

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
            $crate::split::SplitPoint::new(|| Box::pin($chunk::load()), || Box::pin($chunk::preload()));
        mod $chunk {
            #[allow(unused_imports)]
            use super::*;
            #[cfg(feature = "split")]
            #[wasm_split_helpers::wasm_split($chunk, fallible, preload(preload_only))]
            pub fn load() -> Result<$ret, $crate::split::ChunkError> {
                Ok($body)
            }
            #[cfg(feature = "split")]
            pub async fn preload() -> Result<(), $crate::split::ChunkError> {
                Ok(preload_only().await?)
            }
            #[cfg(not(feature = "split"))]
            pub async fn load() -> Result<$ret, $crate::split::ChunkError> {
                Ok($body)
            }
            #[cfg(not(feature = "split"))]
            pub async fn preload() -> Result<(), $crate::split::ChunkError> {
                Ok(())
            }
        }
    };
}
pub(crate) use split_point;

type ChunkFuture<T> = Pin<Box<dyn Future<Output = Result<T, ChunkError>>>>;

/// A value computed in a chunk, kept once it is here (so later uses need no await).
pub struct SplitPoint<T: 'static> {
    load: fn() -> ChunkFuture<T>,
    preload: fn() -> ChunkFuture<()>,
    ready: OnceLock<T>,
}

impl<T: Copy + Send + Sync + 'static> SplitPoint<T> {
    pub const fn new(load: fn() -> ChunkFuture<T>, preload: fn() -> ChunkFuture<()>) -> Self {
        Self {
            load,
            preload,
            ready: OnceLock::new(),
        }
    }

    /// The value if its chunk is already here.
    pub fn ready(&self) -> Option<T> {
        self.ready.get().copied()
    }

    /// The value, fetching its chunk first if need be (retried).
    pub async fn get(&'static self) -> Result<T, ChunkError> {
        if let Some(v) = self.ready() {
            return Ok(v);
        }
        let v = with_retries(self.load).await?;
        Ok(*self.ready.get_or_init(|| v))
    }

    /// Fetches the chunk without running anything from it (retried; a failure is left to
    /// [`get`](Self::get), which tries again when the code is needed).
    pub async fn prefetch(&'static self) {
        if self.ready().is_none() {
            let _ = with_retries(self.preload).await;
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

/// Runs `task` once the first view is on screen: fetching the chunks then, a later click
/// finds them here (and a lost connection is retried while the person reads, not when they act).
pub fn after_paint(task: impl Future<Output = ()> + 'static) {
    request_animation_frame(move || leptos::task::spawn_local(task));
}

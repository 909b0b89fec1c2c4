//! `backsim serve`: the JSON API (contract, bad requests, CLI equivalence, cancellation) and
//! the page in a real browser (headless Chromium over the DevTools protocol).

mod serve {
    pub mod api;
    pub mod browser;
    pub mod http;
}

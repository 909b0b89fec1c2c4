//! `backsim serve`: a local web page to move levers live in front of a room.
//!
//! One binary, offline: the page ([`assets`]: HTML, CSS, JS compiled in) talks to a small
//! JSON API ([`api`]) over HTTP on 127.0.0.1 by default. The server is synchronous
//! (`tiny_http`): each request gets a thread, each simulation runs on rayon's pool like
//! `backsim run`, and a request superseded by a newer one from the same page stops at its
//! next batch ([`cancel`]). No request reads or writes a file: the scenarios named on the
//! command line are loaded once, at start.

pub mod api;
pub mod cache;
pub mod cancel;
pub mod session;

use crate::error::input_error;
use anyhow::{Context, Result};
use api::{Lab, Refusal};
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tiny_http::{Header, Method, Request, Response, Server};

/// The page's files, compiled into the binary.
pub mod assets {
    pub const INDEX: &str = include_str!("../../assets/web/index.html");
    pub const CSS: &str = include_str!("../../assets/web/app.css");
    pub const JS: &str = include_str!("../../assets/web/app.js");
}

/// Default port of `backsim serve`.
pub const DEFAULT_PORT: u16 = 8787;
/// Requests handled at once; more get 503 (each simulation already uses every core).
const MAX_IN_FLIGHT: usize = 32;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub scenarios: Vec<String>,
    pub host: String,
    pub port: u16,
}

/// A server accepting requests on its own thread; stops when dropped.
pub struct Running {
    pub url: String,
    server: Arc<Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct State {
    lab: Lab,
    clients: cancel::Clients,
    in_flight: AtomicUsize,
}

/// Load the scenarios, bind and start accepting requests.
pub fn start(opts: &ServeOptions) -> Result<Running> {
    let lab = Lab::load(&opts.scenarios)?;
    let addr = format!("{}:{}", opts.host, opts.port);
    let server = Server::http(&addr).map_err(|e| {
        use std::io::ErrorKind::{AddrInUse, PermissionDenied};
        let hint = match e.downcast_ref::<std::io::Error>().map(|e| e.kind()) {
            Some(AddrInUse) => format!(
                "is another `backsim serve` running? try --port {}",
                opts.port.wrapping_add(1)
            ),
            Some(PermissionDenied) => {
                format!("a port below 1024 needs administrator rights; try --port {DEFAULT_PORT}")
            }
            // A name that does not resolve, or an address of another machine.
            _ => "--host must be an address of this machine: 127.0.0.1 for this machine only, \
                  0.0.0.0 for every network it is on"
                .to_string(),
        };
        input_error(format!("cannot listen on {addr}: {e} ({hint})"))
    })?;
    let bound = server
        .server_addr()
        .to_ip()
        .context("the server has no IP address")?;
    let host = if bound.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        bound.ip().to_string()
    };
    let url = format!("http://{host}:{}/", bound.port());
    let server = Arc::new(server);
    let state = Arc::new(State {
        lab,
        clients: cancel::Clients::default(),
        in_flight: AtomicUsize::new(0),
    });
    let srv = server.clone();
    let thread = std::thread::Builder::new()
        .name("backsim-serve".into())
        .spawn(move || {
            for request in srv.incoming_requests() {
                if state.in_flight.fetch_add(1, Ordering::AcqRel) >= MAX_IN_FLIGHT {
                    state.in_flight.fetch_sub(1, Ordering::AcqRel);
                    let _ = request.respond(error(503, "busy: too many requests at once"));
                    continue;
                }
                let st = state.clone();
                let spawned = std::thread::Builder::new()
                    .name("backsim-request".into())
                    .spawn(move || {
                        handle(&st, request);
                        st.in_flight.fetch_sub(1, Ordering::AcqRel);
                    });
                if spawned.is_err() {
                    state.in_flight.fetch_sub(1, Ordering::AcqRel);
                }
            }
        })
        .context("cannot start the server thread")?;
    Ok(Running {
        url,
        server,
        thread: Some(thread),
    })
}

/// `backsim serve`: start, print the URL, serve until interrupted.
pub fn run(opts: &ServeOptions) -> Result<()> {
    let running = start(opts)?;
    let ip: Option<std::net::IpAddr> = opts.host.parse().ok();
    if !ip.is_some_and(|ip| ip.is_loopback()) && opts.host != "localhost" {
        eprintln!(
            "warning: --host {} serves the page to every machine that can reach this one: anyone on the network can run simulations (no file is read or written). Use it on a room's trusted network only.",
            opts.host
        );
    }
    println!("backsim serve: open {} (Ctrl-C to stop)", running.url);
    use std::io::Write;
    let _ = std::io::stdout().flush();
    if let Some(t) = running.thread.as_ref() {
        // Serve until the process is interrupted.
        while !t.is_finished() {
            std::thread::park_timeout(std::time::Duration::from_secs(3600));
        }
    }
    Ok(())
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn with_type(body: String, status: u16, content_type: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(body.into_bytes())
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        // Nothing but this server: a page that tried to load anything else would fail loudly.
        .with_header(header(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'",
        ))
}

fn json(body: serde_json::Value, status: u16) -> Response<std::io::Cursor<Vec<u8>>> {
    with_type(body.to_string(), status, "application/json; charset=utf-8")
}

fn error(status: u16, message: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    json(serde_json::json!({ "error": message }), status)
}

/// The answer to one request: (status, content type, body). Public so tests can call the
/// API without a socket.
pub fn respond(
    lab: &Lab,
    clients: &cancel::Clients,
    method: &str,
    path: &str,
    body: &[u8],
) -> (u16, &'static str, String) {
    const JSON: &str = "application/json; charset=utf-8";
    let refusal = |r: Refusal| {
        match r {
        Refusal::Bad(m) => (400, JSON, serde_json::json!({ "error": m }).to_string()),
        Refusal::Cancelled => (
            409,
            JSON,
            serde_json::json!({"error": "superseded by a newer request from the same page", "cancelled": true}).to_string(),
        ),
    }
    };
    let path = path.split('?').next().unwrap_or(path);
    match (method, path) {
        ("GET", "/" | "/index.html") => (200, "text/html; charset=utf-8", assets::INDEX.into()),
        ("GET", "/app.css") => (200, "text/css; charset=utf-8", assets::CSS.into()),
        ("GET", "/app.js") => (200, "text/javascript; charset=utf-8", assets::JS.into()),
        ("GET", "/api/session") => (200, JSON, session::session(lab).to_string()),
        ("POST", "/api/simulate") => {
            let req: api::SimRequest = match api::parse_body(body) {
                Ok(r) => r,
                Err(m) => return refusal(Refusal::Bad(m)),
            };
            let ticket = req
                .client
                .as_deref()
                .map(|c| clients.ticket(c, req.generation.unwrap_or(0)));
            match api::simulate(lab, &req, ticket.as_ref()) {
                Ok(v) => (200, JSON, v.to_string()),
                Err(r) => refusal(r),
            }
        }
        ("POST", "/api/trace") => match api::parse_body(body) {
            Ok(req) => match api::trace(lab, &req) {
                Ok(v) => (200, JSON, v.to_string()),
                Err(r) => refusal(r),
            },
            Err(m) => refusal(Refusal::Bad(m)),
        },
        ("POST", "/api/scenario") => match api::parse_body(body) {
            Ok(req) => match api::scenario_toml(lab, &req) {
                Ok(t) => (200, "application/toml; charset=utf-8", t),
                Err(r) => refusal(r),
            },
            Err(m) => refusal(Refusal::Bad(m)),
        },
        (_, "/" | "/index.html" | "/app.css" | "/app.js" | "/api/session") => (
            405,
            JSON,
            serde_json::json!({"error": format!("{method} {path}: use GET")}).to_string(),
        ),
        (_, "/api/simulate" | "/api/trace" | "/api/scenario") => (
            405,
            JSON,
            serde_json::json!({"error": format!("{method} {path}: use POST with a JSON body")})
                .to_string(),
        ),
        _ => (
            404,
            JSON,
            serde_json::json!({"error": format!("{path}: not found (the page is at /, the API at /api/session, /api/simulate, /api/trace, /api/scenario)")}).to_string(),
        ),
    }
}

fn handle(state: &State, mut request: Request) {
    let method = match request.method() {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Head => "HEAD",
        _ => "OTHER",
    };
    let path = request.url().to_string();
    if request.body_length().is_some_and(|n| n > api::MAX_BODY) {
        let _ = request.respond(error(
            413,
            &format!("request body above the limit of {} bytes", api::MAX_BODY),
        ));
        return;
    }
    let mut body = Vec::new();
    if request
        .as_reader()
        .take(api::MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .is_err()
    {
        let _ = request.respond(error(400, "cannot read the request body"));
        return;
    }
    if body.len() > api::MAX_BODY {
        let _ = request.respond(error(
            413,
            &format!("request body above the limit of {} bytes", api::MAX_BODY),
        ));
        return;
    }
    let (status, content_type, text) = respond(&state.lab, &state.clients, method, &path, &body);
    let _ = request.respond(with_type(text, status, content_type));
}

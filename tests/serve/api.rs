//! The JSON API: its contract, each bad request with the CLI's message, the same numbers as
//! `backsim run`'s summary.csv, other scenarios untouched by one scenario's lever, and
//! superseded requests cancelled per page.

use super::http;
use assert_cmd::Command;
use backsim::serve::api::Lab;
use backsim::serve::cancel::Clients;
use backsim::serve::{respond, start, ServeOptions};
use serde_json::Value;
use std::sync::OnceLock;

fn lab() -> &'static Lab {
    static LAB: OnceLock<Lab> = OnceLock::new();
    LAB.get_or_init(|| Lab::load(&[]).expect("the archetypes load"))
}

/// POST /api/simulate in process: (status, JSON).
fn simulate(body: &str) -> (u16, Value) {
    let (status, _, text) = respond(
        lab(),
        &Clients::default(),
        "POST",
        "/api/simulate",
        body.as_bytes(),
    );
    (
        status,
        serde_json::from_str(&text).expect("the API answers JSON"),
    )
}

fn error_of(body: &str) -> String {
    let (status, v) = simulate(body);
    assert_eq!(status, 400, "{body} -> {v}");
    v["error"].as_str().expect("an error message").to_string()
}

/// What the CLI prints on stderr for these arguments, without "error: ".
fn cli_error(args: &[&str]) -> String {
    let out = Command::cargo_bin("backsim")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?} is an input error");
    String::from_utf8(out.stderr)
        .unwrap()
        .trim()
        .trim_start_matches("error: ")
        .to_string()
}

fn scenario<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} in the answer"))
}

#[test]
fn the_answer_holds_every_part_of_the_contract() {
    let (status, v) = simulate(
        r#"{"scenarios": ["aligned", "siloed-pm"], "runs": 200, "seed": 42, "params": {"siloed-pm": {"pm.sync_interval": 2}}}"#,
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["baseline"], "aligned");
    assert_eq!(v["runs"], 200);
    assert_eq!(v["seed"], 42);
    assert!(v["elapsed_ms"].as_f64().unwrap() > 0.0);
    let names: Vec<&str> = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["aligned", "siloed-pm"]);
    let s = scenario(&v, "siloed-pm");
    assert_eq!(s["params"]["pm.sync_interval"], 2.0);
    for m in backsim::engine::metrics::METRICS {
        let x = &s["metrics"][m.name];
        for k in ["mean", "ci95_low", "ci95_high", "p50", "p85"] {
            assert!(x.get(k).is_some(), "{} lacks {k}: {x}", m.name);
        }
        let d = &s["diff"][m.name];
        for k in ["mean_diff", "ci95_low", "ci95_high", "better_share"] {
            assert!(d.get(k).is_some(), "{} lacks diff {k}: {d}", m.name);
        }
        // The baseline against itself: every difference 0.
        let base = &scenario(&v, "aligned")["diff"][m.name];
        if let Some(x) = base["mean_diff"].as_f64() {
            assert_eq!(x, 0.0, "{}", m.name);
        }
    }
    let ve = &s["metrics"]["value_efficiency"];
    let (lo, mean, hi) = (
        ve["ci95_low"].as_f64().unwrap(),
        ve["mean"].as_f64().unwrap(),
        ve["ci95_high"].as_f64().unwrap(),
    );
    assert!(lo < mean && mean < hi);
    // Per-sprint bands: every series, one value per sprint.
    let sprints = s["sprints"].as_u64().unwrap() as usize;
    for series in backsim::engine::metrics::SERIES {
        let b = &s["bands"][series];
        for k in ["mean", "p10", "p50", "p90"] {
            assert_eq!(b[k].as_array().unwrap().len(), sprints, "{series}.{k}");
        }
    }
    // The release-delay CDF rises to the share of runs that finished.
    let cdf = s["release_delay_cdf"].as_array().unwrap();
    let last = cdf.last().unwrap()[1].as_f64().unwrap();
    let done = s["metrics"]["release_delay_sprints"]["completed_share"]
        .as_f64()
        .unwrap();
    assert!((last - done).abs() < 1e-5, "{last} vs {done}");
}

/// A port in use gets the hint of another server; an address of no interface here used to
/// get the same hint ("is another `backsim serve` running? try --port"), not one on --host.
#[test]
fn a_port_in_use_and_a_host_not_here_get_their_own_hints() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = |host: &str, port: u16| {
        let opts = ServeOptions {
            scenarios: vec!["aligned".into()],
            host: host.into(),
            port,
        };
        let e = start(&opts).err().expect("cannot listen");
        assert_eq!(backsim::error::exit_code(&e), 2);
        format!("{e:#}")
    };
    let e = err("127.0.0.1", port);
    assert!(
        e.contains("another `backsim serve`") && !e.contains("--host"),
        "{e}"
    );
    // 192.0.2.1 is TEST-NET-1: documentation only, on no interface, no name to look up.
    let e = err("192.0.2.1", 0);
    assert!(
        e.contains("--host must be an address of this machine"),
        "{e}"
    );
    assert!(!e.contains("another `backsim serve`"), "{e}");
}

#[test]
fn bad_requests_get_400_with_the_clis_message() {
    // An unknown key and an out-of-range value: the message of `backsim sweep --param`.
    assert_eq!(
        error_of(r#"{"scenarios": ["aligned"], "params": {"aligned": {"pm.sync_intervl": 2}}}"#),
        cli_error(&[
            "sweep",
            "aligned",
            "--param",
            "pm.sync_intervl=2",
            "--out",
            "/nonexistent/x"
        ])
    );
    assert_eq!(
        error_of(r#"{"scenarios": ["aligned"], "params": {"aligned": {"po.myopia": 3}}}"#),
        cli_error(&[
            "sweep",
            "aligned",
            "--param",
            "po.myopia=3",
            "--out",
            "/nonexistent/x"
        ])
    );
    assert_eq!(
        error_of(r#"{"scenarios": ["aligned"], "params": {"aligned": {"simulation.seed": 3}}}"#),
        cli_error(&[
            "sweep",
            "aligned",
            "--param",
            "simulation.seed=3",
            "--out",
            "/nonexistent/x"
        ])
    );
    // Runs out of range: the message of `backsim run --runs 0`.
    assert_eq!(
        error_of(r#"{"runs": 0}"#),
        cli_error(&["run", "--runs", "0", "--out", "/nonexistent/x"])
    );
    let e = error_of(r#"{"runs": 1000000}"#);
    assert!(e.contains("--runs 1000000") && e.contains("limit"), "{e}");
    // Bad JSON and an unknown field of the request say where.
    let e = error_of(r#"{"scenarios": ["aligned""#);
    assert!(
        e.starts_with("bad JSON request") && e.contains("column"),
        "{e}"
    );
    let e = error_of(r#"{"runz": 5}"#);
    assert!(
        e.contains("unknown field `runz`") && e.contains("`runs`"),
        "{e}"
    );
    let e = error_of(r#"{"runs": "many"}"#);
    assert!(e.contains("bad JSON request"), "{e}");
    // An unknown scenario: named, with the ones there are. No file is read.
    let e = error_of(r#"{"scenarios": ["/etc/passwd"]}"#);
    assert!(
        e.contains("\"/etc/passwd\": no such scenario") && e.contains("aligned"),
        "{e}"
    );
    let e = error_of(r#"{"scenarios": ["aligned", "aligned"]}"#);
    assert!(e.contains("named twice"), "{e}");
    let e =
        error_of(r#"{"scenarios": ["aligned"], "params": {"siloed-pm": {"pm.sync_interval": 2}}}"#);
    assert!(e.contains("\"siloed-pm\" is not among"), "{e}");
    let e = error_of(
        r#"{"scenarios": ["aligned"], "params": {"aligned": {"pm.sync_interval": "1,2"}}}"#,
    );
    assert!(e.contains("one value per key"), "{e}");
    // A seed no scenario file can hold (the saved file would not load): the CLI's words.
    let big = 9_223_372_036_854_775_808u64;
    let e = error_of(&format!(r#"{{"seed": {big}}}"#));
    assert!(e.contains("9223372036854775807"), "{e}");
    for path in ["/api/trace", "/api/scenario"] {
        let body = format!(r#"{{"scenario": "aligned", "seed": {big}}}"#);
        let (status, _, text) = respond(lab(), &Clients::default(), "POST", path, body.as_bytes());
        assert_eq!(status, 400, "{path}: {text}");
        assert!(text.contains("9223372036854775807"), "{path}: {text}");
    }
    let body = format!(r#"{{"scenario": "aligned", "seed": {}}}"#, big - 1);
    let (status, _, text) = respond(
        lab(),
        &Clients::default(),
        "POST",
        "/api/scenario",
        body.as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("saved.toml"), &text).unwrap();
    let saved = backsim::scenario::load_scenario(dir.path().join("saved.toml").to_str().unwrap());
    assert_eq!(
        saved.expect("the saved file loads").simulation.seed,
        big - 1
    );
    // Too large a body.
    let big = format!(
        r#"{{"scenarios": ["aligned"], "client": "{}"}}"#,
        "x".repeat(70_000)
    );
    let e = error_of(&big);
    assert!(e.contains("above the limit"), "{e}");
}

fn summary_csv(dir: &std::path::Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// A summary.csv cell against the API's value: the same number, or the same ">H".
fn same(cell: &str, v: &Value) -> bool {
    match v {
        Value::Null => cell.is_empty(),
        Value::String(s) => s == cell,
        Value::Number(n) => cell.parse::<f64>().ok() == n.as_f64(),
        _ => false,
    }
}

#[test]
fn the_numbers_are_those_of_backsim_run() {
    let dir = tempfile::tempdir().unwrap();
    // siloed-pm with its sync interval at 2, as a file for the CLI and a param for the API.
    let file = dir.path().join("siloed-2.toml");
    std::fs::write(
        &file,
        "name = \"siloed-pm\"\nextends = \"siloed-pm\"\n[pm]\nsync_interval = 2\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("backsim")
        .unwrap()
        .args([
            "run",
            "aligned",
            file.to_str().unwrap(),
            "overloaded-po",
            "--runs",
            "300",
            "--seed",
            "7",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let (status, v) = simulate(
        r#"{"scenarios": ["aligned", "siloed-pm", "overloaded-po"], "runs": 300, "seed": 7, "params": {"siloed-pm": {"pm.sync_interval": 2}}}"#,
    );
    assert_eq!(status, 200);
    let rows = summary_csv(&out);
    assert_eq!(rows.len(), 3 * backsim::engine::metrics::N_METRICS);
    // Columns: scenario,metric,mean,sd,ci95_low,ci95_high,p5,p10,p25,p50,p75,p85,...
    for r in &rows {
        let m = &scenario(&v, &r[0])["metrics"][&r[1]];
        for (col, key) in [
            (2, "mean"),
            (4, "ci95_low"),
            (5, "ci95_high"),
            (9, "p50"),
            (11, "p85"),
        ] {
            assert!(
                same(&r[col], &m[key]),
                "{} {} {key}: csv {:?}, api {}",
                r[0],
                r[1],
                r[col],
                m[key]
            );
        }
    }
}

/// POST /api/simulate on a lab of its own (nothing cached).
fn simulate_fresh(body: &str) -> Value {
    let lab = Lab::load(&[]).unwrap();
    let (status, _, text) = respond(
        &lab,
        &Clients::default(),
        "POST",
        "/api/simulate",
        body.as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn one_scenarios_lever_leaves_the_others_identical() {
    let base = r#"{"runs": 200, "seed": 3}"#;
    let moved = r#"{"runs": 200, "seed": 3, "params": {"siloed-pm": {"pm.sync_interval": 1, "pm.sync_fidelity": 0.9}}}"#;
    // Fresh labs: the others stay because they live the same worlds, not because of a cache.
    let a = simulate_fresh(base);
    let b = simulate_fresh(moved);
    for name in ["aligned", "overloaded-po", "blurred-roles"] {
        let (x, y) = (scenario(&a, name), scenario(&b, name));
        for part in ["metrics", "diff", "bands", "release_delay_cdf"] {
            assert_eq!(
                x[part], y[part],
                "{name}.{part} moved with siloed-pm's lever"
            );
        }
    }
    let (x, y) = (scenario(&a, "siloed-pm"), scenario(&b, "siloed-pm"));
    assert_ne!(
        x["metrics"]["value_efficiency"]["mean"],
        y["metrics"]["value_efficiency"]["mean"]
    );
    // Same seed, same request: the same answer (common random numbers).
    let c = simulate_fresh(base);
    assert_eq!(a["scenarios"], c["scenarios"]);
}

#[test]
fn answers_from_cached_runs_equal_fresh_ones() {
    // One lab: the second request simulates siloed-pm only and takes the rest from the
    // first; the third is all cached. Each equals a lab that simulates everything.
    let lab = Lab::load(&[]).unwrap();
    let clients = Clients::default();
    for body in [
        r#"{"runs": 150, "seed": 9}"#,
        r#"{"runs": 150, "seed": 9, "params": {"siloed-pm": {"pm.sync_interval": 2}}}"#,
        r#"{"runs": 150, "seed": 9, "scenarios": ["siloed-pm", "aligned"], "params": {"siloed-pm": {"pm.sync_interval": 2}}}"#,
        r#"{"runs": 150, "seed": 9}"#,
    ] {
        let (status, _, text) = respond(&lab, &clients, "POST", "/api/simulate", body.as_bytes());
        assert_eq!(status, 200);
        let cached: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            cached["scenarios"],
            simulate_fresh(body)["scenarios"],
            "{body}"
        );
    }
}

#[test]
fn a_newer_request_from_the_same_page_cancels_the_older_only() {
    let clients = Clients::default();
    let long = r#"{"runs": 20000, "client": "tab-a", "generation": 1}"#;
    std::thread::scope(|s| {
        let old = s.spawn(|| respond(lab(), &clients, "POST", "/api/simulate", long.as_bytes()));
        let other = s.spawn(|| {
            respond(
                lab(),
                &clients,
                "POST",
                "/api/simulate",
                br#"{"runs": 100, "client": "tab-b", "generation": 1}"#,
            )
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        let new = respond(
            lab(),
            &clients,
            "POST",
            "/api/simulate",
            br#"{"runs": 100, "client": "tab-a", "generation": 2}"#,
        );
        assert_eq!(new.0, 200, "{}", new.2);
        let (status, _, body) = old.join().unwrap();
        assert_eq!(status, 409, "{body}");
        assert!(body.contains("superseded"));
        assert_eq!(other.join().unwrap().0, 200, "another tab is not cancelled");
    });
}

#[test]
fn the_server_answers_over_http_with_embedded_assets_only() {
    let running = start(&ServeOptions {
        scenarios: vec![],
        host: "127.0.0.1".into(),
        port: 0,
    })
    .unwrap();
    let (status, html) = http::get(&running.url, "/");
    assert_eq!(status, 200);
    assert!(html.contains("<script src=\"app.js\">"));
    for path in ["/", "/app.js", "/app.css"] {
        let (status, text) = http::get(&running.url, path);
        assert_eq!(status, 200, "{path}");
        // No CDN, no external URL (the SVG namespace is a name, never fetched).
        let external = text.replace("http://www.w3.org/2000/svg", "");
        assert!(
            !external.contains("http://")
                && !external.contains("https://")
                && !external.contains("//cdn"),
            "{path} names an external URL"
        );
    }
    let (status, session) = http::get(&running.url, "/api/session");
    assert_eq!(status, 200);
    let session: Value = serde_json::from_str(&session).unwrap();
    let aligned = &session["scenarios"][0];
    assert_eq!(aligned["name"], "aligned");
    let keys: Vec<&str> = aligned["levers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["key"].as_str().unwrap())
        .collect();
    // The sliders come from the sensitivity ranges, the one table of levers.
    let ranges = backsim::scenario::params::sensitivity_ranges(
        &backsim::scenario::load_scenario("aligned").unwrap(),
    )
    .unwrap();
    assert_eq!(
        keys,
        ranges.iter().map(|r| r.key.as_str()).collect::<Vec<_>>()
    );
    // Each slider's unit is the lever table's.
    for l in aligned["levers"].as_array().unwrap() {
        let key = l["key"].as_str().unwrap();
        if let Some(lever) = backsim::scenario::levers::lever(key) {
            assert_eq!(l["unit"], lever.unit, "{key}");
        }
    }
    assert_eq!(
        aligned["levers"][0]["unit"],
        backsim::scenario::levers::lever("pm.sync_interval")
            .unwrap()
            .unit
    );
    let (status, body) = http::post(
        &running.url,
        "/api/simulate",
        r#"{"scenarios": ["aligned"], "runs": 50}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (status, _) = http::post(&running.url, "/api/simulate", &"x".repeat(100_000));
    assert_eq!(status, 413);
    assert_eq!(http::get(&running.url, "/api/simulate").0, 405);
    assert_eq!(http::get(&running.url, "/../../etc/passwd").0, 404);
    // The trace and the saved scenario.
    let (status, body) = http::post(
        &running.url,
        "/api/trace",
        r#"{"scenario": "aligned", "run": 2}"#,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("## Sprint 1"));
    let (status, toml_text) = http::post(
        &running.url,
        "/api/scenario",
        r#"{"scenario": "siloed-pm", "params": {"pm.sync_interval": 3}}"#,
    );
    assert_eq!(status, 200, "{toml_text}");
    // The saved file loads back with the lever as set.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.toml");
    std::fs::write(&path, &toml_text).unwrap();
    let s = backsim::scenario::load_scenario(path.to_str().unwrap()).unwrap();
    assert_eq!(s.pm.sync_interval, 3);
}

#[test]
fn serve_prints_its_url_and_warns_on_an_open_host() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let bin = assert_cmd::cargo::cargo_bin("backsim");
    let mut child = std::process::Command::new(bin)
        .args(["serve", "--port", "0", "--host", "0.0.0.0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut warning = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut warning)
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        line.starts_with("backsim serve: open http://127.0.0.1:"),
        "{line}"
    );
    assert!(warning.starts_with("warning: --host 0.0.0.0"), "{warning}");
    // A scenario that does not load stops serve before it listens, with the loader's message.
    Command::cargo_bin("backsim")
        .unwrap()
        .args(["serve", "no-such-file.toml", "--port", "0"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no-such-file.toml"));
}

/// The live page draws each scenario in the colour the charts give it, and better and worse
/// in the charts' colours: the page's PALETTE and CSS are tied to the Rust constants.
#[test]
fn the_live_page_uses_the_charts_colours() {
    use backsim::output::charts::{BETTER, PALETTE, WORSE};
    let hex = |c: plotters::style::RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/web");
    let js = std::fs::read_to_string(root.join("app.js")).unwrap();
    let line = js
        .lines()
        .find(|l| l.starts_with("const PALETTE = ["))
        .expect("app.js declares const PALETTE");
    let page: Vec<String> = line
        .split('"')
        .skip(1)
        .step_by(2)
        .map(|s| s.to_uppercase())
        .collect();
    let charts: Vec<String> = PALETTE.iter().map(|&c| hex(c)).collect();
    assert_eq!(
        page, charts,
        "app.js PALETTE differs from the charts' palette"
    );
    let css = std::fs::read_to_string(root.join("app.css"))
        .unwrap()
        .to_uppercase();
    assert!(
        css.contains(&format!("--BETTER: {}", hex(BETTER))),
        "app.css --better"
    );
    assert!(
        css.contains(&format!("--WORSE: {}", hex(WORSE))),
        "app.css --worse"
    );
}

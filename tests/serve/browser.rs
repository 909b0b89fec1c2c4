//! The live page in a real browser: headless Chromium driven over the DevTools protocol (a
//! small client on a websocket). It opens the page, moves a slider, sees that scenario's
//! numbers and the charts change and the other scenarios' numbers stay, finds no console
//! error and no request outside the server, checks that every chart's x caption is whole
//! and on screen at 1280 and 400 px, and takes a 1280×720 screenshot
//! (`BACKSIM_SCREENSHOT=docs/serve.png` keeps it: the README's first screen).
//!
//! Skipped when no Chromium is installed, except under CI (`CI` set), where it must run.

use backsim::serve::{start, ServeOptions};
use serde_json::{json, Value};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("BACKSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
}

struct Browser {
    child: Child,
    ws: WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Console errors, uncaught exceptions and failed loads seen so far.
    problems: Vec<String>,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + timeout;
    loop {
        if let Some(x) = f() {
            return x;
        }
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Browser {
    fn launch(exe: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                "--window-size=1280,720",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        let port_file = profile.path().join("DevToolsActivePort");
        let port: u16 = wait_for("DevToolsActivePort", Duration::from_secs(30), || {
            std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|t| t.lines().next().and_then(|l| l.trim().parse().ok()))
        });
        let base = format!("http://127.0.0.1:{port}");
        let ws_url = wait_for("a page target", Duration::from_secs(30), || {
            let (status, body) = super::http::get(&base, "/json/list");
            if status != 200 {
                return None;
            }
            let list: Value = serde_json::from_str(&body).ok()?;
            list.as_array()?
                .iter()
                .find(|t| t["type"] == "page")
                .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(str::to_string))
        });
        let (ws, _) = tungstenite::connect(ws_url.as_str()).expect("DevTools websocket");
        Browser {
            child,
            ws,
            next_id: 0,
            problems: Vec::new(),
            _profile: profile,
        }
    }

    /// Send a command and wait for its answer, noting problem events on the way.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"id": id, "method": method, "params": params});
        self.ws.send(Message::text(msg.to_string())).unwrap();
        loop {
            let m = self.ws.read().expect("DevTools message");
            let Message::Text(t) = m else { continue };
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["id"] == id {
                if let Some(e) = v.get("error") {
                    panic!("{method}: {e}");
                }
                return v["result"].clone();
            }
            self.note(&v);
        }
    }

    fn note(&mut self, v: &Value) {
        let p = &v["params"];
        match v["method"].as_str() {
            Some("Runtime.consoleAPICalled") if p["type"] == "error" || p["type"] == "assert" => {
                self.problems
                    .push(format!("console.{}: {}", p["type"], p["args"]))
            }
            Some("Runtime.exceptionThrown") => self
                .problems
                .push(format!("uncaught: {}", p["exceptionDetails"])),
            Some("Log.entryAdded") if p["entry"]["level"] == "error" => {
                self.problems.push(format!("log: {}", p["entry"]))
            }
            _ => {}
        }
    }

    /// Evaluate a JS expression (awaiting a promise) and return its value.
    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("{expr}: {e}");
        }
        r["result"]["value"].clone()
    }

    fn wait_eval(&mut self, what: &str, expr: &str) -> Value {
        let end = Instant::now() + Duration::from_secs(60);
        loop {
            let v = self.eval(expr);
            if !(v.is_null() || v == false) {
                return v;
            }
            assert!(Instant::now() < end, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => 0,
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= (val(c) as u32) << (18 - 6 * i);
        }
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

/// Every column's KPI texts, by scenario.
const NUMBERS: &str = r#"JSON.stringify(Object.fromEntries([...document.querySelectorAll('.col')].map(c => [c.dataset.scenario, [...c.querySelectorAll('.kpi')].map(k => k.innerText)])))"#;

/// The charts' x captions (`text.xlabel`): how many, and what is wrong with each: its box
/// (with descenders) outside its SVG's view box or over another text of the chart, or its box
/// on the page outside its figure or the window's width.
const CAPTIONS: &str = r#"JSON.stringify((() => {
  const bad = [], width = document.documentElement.clientWidth;
  const caps = [...document.querySelectorAll('#charts svg text.xlabel')];
  for (const t of caps) {
    const s = t.closest('svg'), vb = s.viewBox.baseVal, b = t.getBBox();
    const name = `${s.getAttribute('aria-label')} at ${width} px: '${t.textContent}'`;
    if (b.x < 0 || b.y < 0 || b.x + b.width > vb.width || b.y + b.height > vb.height)
      bad.push(`${name} leaves its chart: ${[b.x, b.y, b.x + b.width, b.y + b.height]} in ${vb.width}x${vb.height}`);
    for (const o of s.querySelectorAll('text')) {
      const c = o.getBBox();
      if (o !== t && c.x < b.x + b.width && b.x < c.x + c.width && c.y < b.y + b.height && b.y < c.y + c.height)
        bad.push(`${name} is over '${o.textContent}'`);
    }
    const r = t.getBoundingClientRect(), f = t.closest('figure').getBoundingClientRect();
    if (r.left < f.left || r.right > f.right || r.top < f.top || r.bottom > f.bottom)
      bad.push(`${name} leaves its figure`);
    if (r.left < 0 || r.right > width) bad.push(`${name} leaves the window: ${r.left}..${r.right}`);
  }
  return { n: caps.length, bad };
})())"#;

/// A caption far too long for its chart, drawn and fitted as the page does: its box within
/// the chart's width.
const LONG_CAPTION_FITS: &str = r#"(() => {
  const c = document.querySelector('#chart-diff .chart'), keep = c.innerHTML;
  const f = frame(60, 0, 1, 0, 1, { xlabel: 'a_very_long_metric_name: scenario − '.repeat(4) });
  c.innerHTML = svg(f.h, f.g, 'long');
  fitCaptions();
  const b = c.querySelector('text.xlabel').getBBox();
  c.innerHTML = keep;
  return b.x >= 0 && b.x + b.width <= W;
})()"#;

/// Scenarios with long names, drawn and fitted as the page does: what is wrong with each
/// legend entry and row label (its box outside its chart, over another entry, or a name
/// shortened without its ellipsis or without its full name as the tooltip), and how many
/// entries and labels there were.
const LONG_NAMES_FIT: &str = r#"JSON.stringify((() => {
  const res = structuredClone(state.result);
  res.scenarios.forEach((s, i) => { s.name = `a-scenario-with-a-really-very-long-name-${i}`; });
  res.baseline = res.scenarios[0].name;
  const ids = ['#chart-diff', '#chart-cdf', '#chart-value', '#chart-wait'];
  const keep = ids.map((id) => document.querySelector(`${id} .chart`).innerHTML);
  document.querySelector('#chart-diff .chart').innerHTML = diffChart(res, 'value_efficiency');
  document.querySelector('#chart-cdf .chart').innerHTML = cdfChart(res);
  document.querySelector('#chart-value .chart').innerHTML = intervalChart(res, 'value_efficiency');
  document.querySelector('#chart-wait .chart').innerHTML = bandChart(res, 'decision_wait_hours');
  fitLabels();
  const bad = [];
  let legends = 0, rows = 0;
  for (const id of ids) {
    const s = document.querySelector(`${id} svg`), vb = s.viewBox.baseVal;
    const inside = (b) => b.x >= 0 && b.y >= 0 && b.x + b.width <= vb.width && b.y + b.height <= vb.height;
    const boxes = [];
    for (const g of s.querySelectorAll('g.legend, g.rowlabel')) {
      const t = g.querySelector('text'), full = g.querySelector('title').textContent, b = g.getBBox();
      if (g.classList.contains('legend')) legends++; else rows++;
      if (!inside(b)) bad.push(`${id} '${t.textContent}' leaves its chart: ${[b.x, b.x + b.width]} in ${vb.width}`);
      if (!full.startsWith('a-scenario-with')) bad.push(`${id} '${t.textContent}' has no full name: '${full}'`);
      if (t.textContent !== full && !(t.textContent.endsWith('…') && full.startsWith(t.textContent.slice(0, -1))))
        bad.push(`${id} '${t.textContent}' is not '${full}' shortened`);
      for (const o of boxes)
        if (o.x < b.x + b.width && b.x < o.x + o.width && o.y < b.y + b.height && b.y < o.y + o.height)
          bad.push(`${id} '${t.textContent}' is over another entry`);
      boxes.push(b);
    }
  }
  ids.forEach((id, i) => { document.querySelector(`${id} .chart`).innerHTML = keep[i]; });
  return { legends, rows, bad };
})())"#;

fn captions_fit(b: &mut Browser, width: u32) {
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": width, "height": 720, "deviceScaleFactor": 1, "mobile": false}),
    );
    let v: Value = serde_json::from_str(b.eval(CAPTIONS).as_str().unwrap()).unwrap();
    assert_eq!(v["n"], 5, "every chart has its x caption: {v}");
    assert_eq!(v["bad"], json!([]), "captions at {width} px");
}

#[test]
fn the_live_page_moves_one_scenario_and_nothing_else() {
    let Some(exe) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the browser test: install chromium (apt-get install -y chromium)"
        );
        eprintln!("skipped: no chromium installed (apt-get install -y chromium)");
        return;
    };
    let server = start(&ServeOptions {
        scenarios: vec![],
        host: "127.0.0.1".into(),
        port: 0,
    })
    .unwrap();
    let t0 = Instant::now();
    let mut b = Browser::launch(&exe);
    eprintln!("chromium up after {:?}", t0.elapsed());
    b.call("Runtime.enable", json!({}));
    b.call("Log.enable", json!({}));
    b.call("Page.enable", json!({}));
    b.call("Network.enable", json!({}));
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": false}),
    );
    b.call("Page.navigate", json!({"url": server.url}));
    b.wait_eval(
        "the first answer",
        "document.body && document.body.dataset.rendered === '1'",
    );
    eprintln!("first answer after {:?}", t0.elapsed());
    let before: Value = serde_json::from_str(b.eval(NUMBERS).as_str().unwrap()).unwrap();
    assert_eq!(
        before.as_object().unwrap().len(),
        4,
        "one column per archetype: {before}"
    );
    assert!(
        before["siloed-pm"][0].as_str().unwrap().contains("0."),
        "{before}"
    );
    let charts_before = b.eval("document.querySelector('#chart-cdf .chart').innerHTML + document.querySelector('#chart-diff .chart').innerHTML");
    assert!(
        charts_before.as_str().unwrap().contains("<path"),
        "the CDF is drawn"
    );
    // Every chart is an SVG with content.
    let svgs = b.eval(
        "[...document.querySelectorAll('#charts svg')].filter(s => s.childElementCount > 3).length",
    );
    assert_eq!(svgs, 5, "five charts drawn");
    // Every chart's x caption whole, inside its chart and on screen, wide and narrow.
    captions_fit(&mut b, 400);
    captions_fit(&mut b, 1280);
    assert_eq!(
        b.eval(LONG_CAPTION_FITS),
        true,
        "a long caption is set smaller"
    );
    // Long scenario names: every legend entry and row label inside its chart, shortened with
    // an ellipsis where it must be, the full name as its tooltip.
    let v: Value = serde_json::from_str(b.eval(LONG_NAMES_FIT).as_str().unwrap()).unwrap();
    assert_eq!(v["legends"], 8, "two legends of four scenarios: {v}");
    assert_eq!(
        v["rows"], 7,
        "three paired rows and four interval rows: {v}"
    );
    assert_eq!(v["bad"], json!([]), "long names");

    // Move siloed-pm's sync interval from 6 sprints to 1.
    let moved = b.eval(
        r#"(() => { const i = document.querySelector('.col[data-scenario="siloed-pm"] input[data-key="pm.sync_interval"]');
            if (!i) return false; i.value = 1; i.dispatchEvent(new Event('input', {bubbles: true})); return true; })()"#,
    );
    assert_eq!(
        moved, true,
        "the siloed-pm column has a pm.sync_interval slider"
    );
    b.wait_eval(
        "the second answer",
        "document.body.dataset.rendered === '2'",
    );
    eprintln!("second answer after {:?}", t0.elapsed());
    let after: Value = serde_json::from_str(b.eval(NUMBERS).as_str().unwrap()).unwrap();
    assert_ne!(
        before["siloed-pm"], after["siloed-pm"],
        "siloed-pm's numbers move"
    );
    for name in ["aligned", "overloaded-po", "blurred-roles"] {
        assert_eq!(
            before[name], after[name],
            "{name}'s numbers stay (same world)"
        );
    }
    let charts_after = b.eval("document.querySelector('#chart-cdf .chart').innerHTML + document.querySelector('#chart-diff .chart').innerHTML");
    assert_ne!(charts_before, charts_after, "the charts move");

    // The reveal toggle hides the numbers and shows them again.
    assert_eq!(
        b.eval(
            "document.querySelector('#reveal').click(); document.body.classList.contains('hide')"
        ),
        true
    );
    assert_eq!(
        b.eval(
            "document.querySelector('#reveal').click(); document.body.classList.contains('hide')"
        ),
        false
    );
    // The trace of one run, sprint by sprint.
    b.eval("document.querySelector('.col[data-scenario=\"aligned\"] .show-trace').click()");
    b.wait_eval("the trace", "!document.querySelector('#trace').hidden && document.querySelector('#trace-body').innerText.includes('Planning')");
    b.eval("document.querySelector('#trace-next').click()");
    assert_eq!(
        b.eval("document.querySelector('#trace-pos').innerText"),
        "sprint 2 of 26"
    );
    if let Some(path) = std::env::var_os("BACKSIM_SCREENSHOT") {
        let shot = b.call("Page.captureScreenshot", json!({"format": "png"}));
        let path = PathBuf::from(path).with_extension("trace.png");
        std::fs::write(path, base64_decode(shot["data"].as_str().unwrap())).unwrap();
    }
    b.eval("document.querySelector('#trace-close').click()");
    // The saved report is a page of its own: no script, the charts inline.
    let report = b.eval("reportHtml()");
    let report = report.as_str().unwrap();
    if let Some(path) = std::env::var_os("BACKSIM_SCREENSHOT") {
        std::fs::write(PathBuf::from(path).with_extension("report.html"), report).unwrap();
    }
    assert!(
        report.contains("<svg")
            && !report.contains("<script")
            && report.contains("pm.sync_interval = 1")
    );

    // Nothing was loaded from anywhere but the server.
    let foreign = b.eval(&format!(
        "performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith({:?}))",
        server.url
    ));
    assert_eq!(foreign, json!([]), "requests outside the server");

    eprintln!("checks done after {:?}", t0.elapsed());
    let shot = b.call("Page.captureScreenshot", json!({"format": "png"}));
    let png = base64_decode(shot["data"].as_str().unwrap());
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a real screenshot"
    );
    if let Some(path) = std::env::var_os("BACKSIM_SCREENSHOT") {
        std::fs::write(&path, &png).unwrap();
    }
    // Drain pending events, then: no console error, no exception.
    b.eval("1");
    assert!(b.problems.is_empty(), "console problems: {:#?}", b.problems);
}

//! Number formatting, in one place: every number the program writes goes through one of
//! these, so a CSV cell, a report figure, a terminal table, a chart tick and a message agree
//! on how a number looks. Each function keeps the exact text of the place it came from
//! (outputs are compared byte for byte).

/// A number with 6 significant digits (integer parts are kept whole), plain notation,
/// trailing zeros trimmed; NaN is an empty cell.
pub fn fmt_num(x: f64) -> String {
    let mut s = String::new();
    push_num(&mut s, x);
    s
}

/// Exact powers of ten.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// [`fmt_num`] appended to `out`. A million-row runs.csv formats tens of millions of numbers,
/// so the common case avoids `format!`: the value scaled to its last kept digit is rounded
/// as an integer whenever it is clearly not a tie (the product is within an ulp or two of
/// exact, so the rounding is certain); ties and extremes take the exact formatter.
pub fn push_num(out: &mut String, x: f64) {
    let mut buf = [0u8; CELL_MAX];
    match put_num(&mut buf, 0, x) {
        Some(n) => out.push_str(std::str::from_utf8(&buf[..n]).expect("ASCII digits")),
        None => out.push_str(&fmt_num_exact(x)),
    }
}

/// [`push_num`] for a byte buffer: the same bytes.
pub fn push_num_bytes(out: &mut Vec<u8>, x: f64) {
    let mut buf = [0u8; CELL_MAX];
    match put_num(&mut buf, 0, x) {
        Some(n) => out.extend_from_slice(&buf[..n]),
        None => out.extend_from_slice(fmt_num_exact(x).as_bytes()),
    }
}

/// [`push_num`]'s bytes at `buf[at..]` (room for [`CELL_MAX`] bytes needed): the position
/// after them, or None when only the exact formatter can say ([`fmt_num_exact`], rare:
/// ties that are not exact binary fractions, infinities, extremes). In place, without a
/// `String` per piece: for runs.csv's rows.
#[inline]
pub fn put_num(buf: &mut [u8], at: usize, x: f64) -> Option<usize> {
    Some(match num_cell(x) {
        NumCell::Empty => at,
        NumCell::Zero => {
            buf[at] = b'0';
            at + 1
        }
        NumCell::Whole { negative, a } => {
            buf[at] = b'-';
            put_digits(buf, at + negative as usize, a)
        }
        NumCell::Fixed {
            negative,
            r,
            decimals,
        } => put_fixed(buf, at, negative, r, decimals),
        NumCell::Exact => return None,
    })
}

/// A whole number's digits appended to `out` (as `itoa` writes them).
pub fn push_whole_bytes(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; CELL_MAX];
    let n = put_digits(&mut buf, 0, v);
    out.extend_from_slice(&buf[..n]);
}

/// Room for one cell of [`put_num`]: a sign, 20 digits, a point and 15 decimals.
pub const CELL_MAX: usize = 40;

/// Powers of ten as whole numbers, 10⁰ … 10¹⁹ (the tests count digits by them).
#[cfg(test)]
const POW10_U64: [u64; 20] = {
    let mut p = [1u64; 20];
    let mut k = 1;
    while k < 20 {
        p[k] = p[k - 1] * 10;
        k += 1;
    }
    p
};

/// The number of decimal digits of v (1 for 0): the integer log (a few instructions; the
/// loop over powers of ten it replaces was unrolled into some seventy).
#[inline]
fn digit_count(v: u64) -> usize {
    v.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// How [`push_num`] writes x.
enum NumCell {
    /// NaN: nothing.
    Empty,
    Zero,
    /// A whole number below 9·10¹⁵: its digits.
    Whole {
        negative: bool,
        a: u64,
    },
    /// `r / 10^decimals`, trailing zeros trimmed ([`put_fixed`]).
    Fixed {
        negative: bool,
        r: u64,
        decimals: usize,
    },
    /// Ties and extremes: [`fmt_num_exact`].
    Exact,
}

#[inline]
fn num_cell(x: f64) -> NumCell {
    if x.is_nan() {
        return NumCell::Empty;
    }
    if x == 0.0 {
        return NumCell::Zero;
    }
    let negative = x < 0.0;
    let a = x.abs();
    if a < 9e15 && (a as i64) as f64 == a {
        // Whole numbers print as themselves.
        return NumCell::Whole {
            negative,
            a: a as u64,
        };
    }
    if let Some(magnitude) = magnitude(a) {
        let decimals = (5 - magnitude).clamp(0, 15) as usize;
        let y = a * POW10[decimals];
        // y < 10¹⁵ (at most 6 digits before rounding, or a < 10¹⁵): truncation is the floor.
        let floor = y as u64;
        let frac = y - floor as f64;
        if (frac - 0.5).abs() > y * 4e-15 {
            let r = floor + (frac > 0.5) as u64;
            return NumCell::Fixed {
                negative,
                r,
                decimals,
            };
        }
        // Near a tie: decided here when the product was exact (y is a·10^d to the last
        // bit), as binary fractions such as lead times of 10.03125 days often are. An exact
        // half is a decimal tie, which the exact formatter rounds to even.
        if product_is_exact(a, POW10[decimals], y) {
            let r = if frac == 0.5 {
                floor + (floor & 1)
            } else {
                floor + (frac > 0.5) as u64
            };
            return NumCell::Fixed {
                negative,
                r,
                decimals,
            };
        }
    }
    NumCell::Exact
}

/// Two ASCII digits for each of 0 to 99.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The digits of v at `buf[at..]`; the position after them.
#[inline]
pub fn put_digits(buf: &mut [u8], at: usize, mut v: u64) -> usize {
    let end = at + digit_count(v);
    let mut i = end;
    while v >= 100 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[d..d + 2]);
    }
    if v >= 10 {
        let d = v as usize * 2;
        buf[i - 2..i].copy_from_slice(&PAIRS[d..d + 2]);
    } else {
        buf[i - 1] = b'0' + v as u8;
    }
    end
}

/// `r / 10^decimals` at `buf[at..]`, trailing zeros of the fraction trimmed ("0" for 0, a
/// "0" before the point when r has no more digits than decimals); the position after it.
#[inline]
fn put_fixed(buf: &mut [u8], mut at: usize, negative: bool, mut r: u64, decimals: usize) -> usize {
    if r == 0 {
        buf[at] = b'0';
        return at + 1;
    }
    // The fraction's trailing zeros go.
    let mut decimals = decimals;
    while decimals > 0 && r.is_multiple_of(10) {
        r /= 10;
        decimals -= 1;
    }
    if negative {
        buf[at] = b'-';
        at += 1;
    }
    if decimals == 0 {
        return put_digits(buf, at, r);
    }
    // From the right: the fraction zero-padded to its decimals, the point, the integer
    // part ("0" when r has no more digits than decimals).
    let digits = digit_count(r);
    let end = at + digits.saturating_sub(decimals).max(1) + 1 + decimals;
    let mut i = end;
    for _ in 0..decimals {
        i -= 1;
        buf[i] = b'0' + (r % 10) as u8;
        r /= 10;
    }
    i -= 1;
    buf[i] = b'.';
    put_digits(buf, at, r);
    end
}

/// Whether `y`, the rounded product of `a` and `b`, is their exact product: Dekker's
/// two-product (no fused multiply-add: without it that is a library call) leaves no error.
/// For positive finite `a`, `b` whose product is far from overflow and underflow.
fn product_is_exact(a: f64, b: f64, y: f64) -> bool {
    const SPLIT: f64 = 134_217_729.0; // 2²⁷ + 1
    let split = |v: f64| {
        let c = SPLIT * v;
        let hi = c - (c - v);
        (hi, v - hi)
    };
    let ((ah, al), (bh, bl)) = (split(a), split(b));
    ((ah * bh - y) + ah * bl + al * bh) + al * bl == 0.0
}

/// The nearest doubles to 10⁻⁹ … 10¹⁵.
const DECADES: [f64; 25] = [
    1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// ⌊log₁₀ a⌋ for a in [10⁻⁹, 10¹⁵), found by comparison; None within 10⁻¹² of a power of
/// ten, where `log10`'s rounding decides and the exact formatter must be asked.
fn magnitude(a: f64) -> Option<i32> {
    if !(DECADES[0]..DECADES[24]).contains(&a) {
        return None;
    }
    let k = DECADES.partition_point(|&p| p <= a);
    let (low, high) = (DECADES[k - 1], DECADES[k]);
    (a > low * (1.0 + 1e-12) && a < high * (1.0 - 1e-12)).then_some(k as i32 - 10)
}

/// [`fmt_num`] by the standard library's exact formatting (ties, extremes, infinities).
fn fmt_num_exact(x: f64) -> String {
    if x.is_nan() {
        return String::new();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (5 - magnitude).clamp(0, 17) as usize;
    let mut s = format!("{x:.decimals$}");
    if s.contains('.') {
        let trimmed = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(trimmed);
    }
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// A number with about three significant digits, no trailing zeros.
pub fn three_digits(v: f64) -> String {
    let a = v.abs();
    let decimals = if a == 0.0 || a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        // Three significant digits below 1.
        (2 - a.log10().floor() as i32).clamp(3, 6) as usize
    };
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// A mean and its 95 % interval for the report's tables and prose, at one precision: the
/// decimals that show the half-width with two significant digits below a leading 355 and one
/// from there on (the Particle Data Group's rule, as [`interval_cells`] uses for narrow
/// intervals), never fewer than the terminal table's decimals for their size (so the report
/// is never less precise than the terminal) and at most 6, the same for all three, so that a
/// mean never reads "0.73" beside "(0.715 to 0.745)". A number that rounds to zero has no
/// sign. An interval without width or not finite leaves each number to [`three_digits`].
pub fn interval_texts(mean: f64, low: f64, high: f64) -> [String; 3] {
    let half = (high - low) / 2.0;
    if !(half.is_finite() && half > 0.0 && mean.is_finite()) {
        return [mean, low, high].map(three_digits);
    }
    let decimals = pdg_decimals(half).clamp(decimals_by_size([mean, low, high]), 6) as usize;
    [mean, low, high].map(|x| fixed(x, decimals))
}

/// The decimals that show a half-width `half` (finite, above 0) by the Particle Data
/// Group's rule: two significant digits when its leading digits are below 355, one otherwise.
fn pdg_decimals(half: f64) -> i32 {
    let e = half.log10().floor() as i32;
    i32::from(half / 10f64.powi(e) < 3.55) - e
}

/// `x` at `decimals` decimals; a number that rounds to zero has no sign ("0.00", not
/// "-0.00").
pub fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    match s.strip_prefix('-') {
        Some(z) if z.chars().all(|c| c == '0' || c == '.') => z.to_string(),
        _ => s,
    }
}

/// The terminal table's decimals for numbers of this size: 0 from 100, 1 from 10, else 2.
fn decimals_by_size(values: [f64; 3]) -> i32 {
    let size = values
        .iter()
        .filter(|x| x.is_finite())
        .fold(0.0_f64, |m, x| m.max(x.abs()));
    if size >= 100.0 {
        0
    } else if size >= 10.0 {
        1
    } else {
        2
    }
}

/// A terminal-table cell: 0, 1 or 2 decimals by size; NaN is "–", infinity ">H".
pub fn table_cell(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else if x.is_infinite() {
        ">H".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// A mean and its 95 % interval as terminal-table cells: [`table_cell`]'s decimals, or more
/// when the interval is narrower than one unit of the last decimal, so that the half-width
/// shows one or two significant digits ("-0.0019 [-0.0043, 0.0004]", never "-0.00 [-0.00,
/// 0.00]"), and so for a mean that would read 0 ("-0.004 [-0.015, 0.008]", not "0.00 [-0.02,
/// 0.01]").
pub fn interval_cells(mean: f64, low: f64, high: f64) -> [String; 3] {
    let by_size = decimals_by_size([mean, low, high]);
    let half = (high - low) / 2.0;
    // The Particle Data Group's rule ([`pdg_decimals`]).
    let pdg = || pdg_decimals(half).clamp(by_size, 6);
    let width = half.is_finite() && half > 0.0;
    let mut decimals = if width && half < 10f64.powi(-by_size) {
        pdg()
    } else {
        by_size
    } as usize;
    // A mean that is not zero is not written as one ("0.00 [-0.02, 0.01]" for -0.0038):
    // it gets the rule's digits when the interval earns them.
    let shows_zero = |d: usize| {
        format!("{:.d$}", mean.abs())
            .chars()
            .all(|c| c == '0' || c == '.')
    };
    if width && mean.is_finite() && mean != 0.0 && shows_zero(decimals) {
        decimals = pdg() as usize;
    }
    [mean, low, high].map(|x| {
        if x.is_nan() || x.is_infinite() {
            table_cell(x)
        } else {
            fixed(x, decimals)
        }
    })
}

/// Three significant digits for tables.
pub fn short(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let a = x.abs();
    if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// Four significant digits for tables whose numbers sit close to a bound (the validation
/// table: 1.195 against a band from 1.2 must not read 1.20).
pub fn four_digits(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let a = x.abs();
    let decimals = if a >= 1000.0 {
        0
    } else if a >= 100.0 {
        1
    } else if a >= 10.0 {
        2
    } else if a >= 1.0 {
        3
    } else {
        4
    };
    format!("{x:.decimals$}")
}

/// A value and its 95 % interval to [`four_digits`]: `1.195 [1.190, 1.200]`; `None` when the
/// value is not finite.
pub fn four_digit_interval(value: f64, (low, high): (f64, f64)) -> Option<String> {
    value.is_finite().then(|| {
        format!(
            "{} [{}, {}]",
            four_digits(value),
            four_digits(low),
            four_digits(high)
        )
    })
}

/// Tick label text: few digits, no trailing zeros; a tick that rounds to zero is "0", never
/// "-0" (a sweep's grid can put one at −10⁻¹⁷).
pub fn tick(v: f64) -> String {
    tick_at_least(v, 0)
}

/// [`tick`] with at least `decimals` decimals before the trailing zeros are trimmed: an
/// axis whose ticks lie close together for their size (1.000, 1.005, 1.010) needs more than
/// [`tick`] gives each alone ("1", "1", "1.01").
pub fn tick_at_least(v: f64, decimals: usize) -> String {
    let decimals = tick_decimals(v.abs()).max(decimals);
    trimmed(format!("{v:.decimals$}"))
}

/// [`tick`]'s decimals for a number of size `a`.
fn tick_decimals(a: f64) -> usize {
    if a == 0.0 || a >= 1000.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else if a >= 0.01 {
        3
    } else {
        4
    }
}

/// A label among numbers shown side by side (a heat map's cells), `largest` the largest
/// of their sizes: [`tick`]'s decimals for that size, the same for each and not trimmed, so
/// "0.190" stands beside "0.205", not "0.19". Rounded to zero it has no sign; a number that
/// is not finite is left to [`tick`].
pub fn alike_label(v: f64, largest: f64) -> String {
    if !v.is_finite() {
        return tick(v);
    }
    fixed(v, tick_decimals(largest.abs()))
}

/// Six decimals, trailing zeros trimmed (the fixture's cells).
pub fn six_decimals(v: f64) -> String {
    trimmed(format!("{v:.6}"))
}

/// A fixed-point text without trailing zeros (nor a bare point), and "0" for "-0".
fn trimmed(s: String) -> String {
    let t = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if t == "-0" {
        "0".into()
    } else {
        t.to_string()
    }
}

/// One decimal.
pub fn one_decimal(x: f64) -> String {
    format!("{x:.1}")
}

/// A share as a whole percentage ("37 %").
pub fn whole_percent(v: f64) -> String {
    whole_percentage(v * 100.0)
}

/// A percentage (already × 100) rounded to a whole number ("37 %"). One that rounds to 0
/// from below prints "0 %", not "-0 %".
pub fn whole_percentage(p: f64) -> String {
    let text = format!("{p:.0}");
    if text == "-0" {
        "0 %".to_string()
    } else {
        format!("{text} %")
    }
}

/// A share of runs as a percentage: whole ("37 %"), except near the ends, where one decimal
/// keeps a few exceptions visible: a share below 1 never reads "100 %" (0.996 is "99.6 %",
/// 0.9996 is ">99.9 %") and one above 0 never reads "0 %" (0.004 is "0.4 %", 0.0004 is
/// "<0.1 %").
pub fn share_of_runs(v: f64) -> String {
    let p = v * 100.0;
    if v > 0.0 && v < 1.0 {
        let whole = format!("{p:.0}");
        if whole == "100" || whole == "0" {
            let one = format!("{p:.1}");
            return match one.as_str() {
                "100.0" => ">99.9 %".to_string(),
                "0.0" => "<0.1 %".to_string(),
                _ => format!("{one} %"),
            };
        }
    }
    whole_percentage(p)
}

/// A number as text that parses back to the same f64 (the shortest such text).
pub fn round_trip(v: f64) -> String {
    format!("{v}")
}

/// A rate of replications per second, rounded for a person: "2345 runs/s", "0.4 runs/s".
pub fn runs_per_second(per_sec: f64) -> String {
    if !per_sec.is_finite() {
        "… runs/s".to_string()
    } else if per_sec >= 10.0 {
        format!("{:.0} runs/s", per_sec)
    } else {
        format!("{:.1} runs/s", per_sec)
    }
}

/// A byte count in binary units with one decimal ("1.5 GiB"), whole below a KiB.
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} bytes")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests;

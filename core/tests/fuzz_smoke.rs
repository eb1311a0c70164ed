//! The stable fuzzing harness (no nightly, no libFuzzer) over the targets of
//! `signbridge::fuzzing`, the same bodies `fuzz/` (cargo-fuzz) runs.
//!
//! - `replay_corpus_and_regressions` (every `cargo test`): each file of `fuzz/corpus/<target>/`
//!   (realistic seeds) and `fuzz/regressions/<target>/` (inputs that once crashed) must pass.
//!   `FUZZ_TARGET=<t> FUZZ_INPUT=<file>` replays one file, panic message and all.
//! - One ignored test per target (`make fuzz-smoke`, `make fuzz`): replays the corpus, then
//!   mutates it — `FUZZ_RUNS` inputs when set (make fuzz-smoke: a fixed count from a fixed
//!   `FUZZ_SEED`, the same inputs on every run and machine), else for `FUZZ_SECONDS` (default 3;
//!   make fuzz, from a new seed each run, printed): bit flips, byte insert/delete/duplicate, splices,
//!   interesting numbers, dictionary tokens taken from the seeds, and JSON-aware mutations of the
//!   JSON part (retype, delete, rename and add keys, nest deeply, graft nodes of other seeds).
//!   Each target runs in a child process (this binary again) so that an abort, an exhausted
//!   memory limit or a hang is caught too: the input is written to
//!   `fuzz/artifacts/<target>/{crash,oom,timeout}-<hash>` and the test fails with that path.
//!   Limits: `FUZZ_TIMEOUT_S` per input (default 10), `FUZZ_MALLOC_MB` of live heap (default
//!   1024) and of growth per input (`FUZZ_INPUT_MB`, default 64), `FUZZ_MAX_LEN` bytes per input
//!   (default 16384). A finding prints its seed, its input number and the exact replay command;
//!   `FUZZ_SEED=<seed> FUZZ_RUNS=<input number>` walks the same inputs again.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use signbridge::fuzzing::{self, Target};

// ---- memory accounting -------------------------------------------------------------------------

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Largest live heap allowed (0: no limit; only the fuzzing child sets one).
static LIMIT: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: as above.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() && !reserve(new_size - layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: as above.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            if new_size > layout.size() {
                LIVE.fetch_sub(new_size - layout.size(), Ordering::Relaxed);
            }
        } else if new_size < layout.size() {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        p
    }
}

/// Count `n` more live bytes; false (and nothing counted) when that passes the limit. A refused
/// allocation aborts the process, which the parent reports as `oom-<hash>`.
fn reserve(n: usize) -> bool {
    let now = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    let limit = LIMIT.load(Ordering::Relaxed);
    if limit != 0 && now > limit {
        LIVE.fetch_sub(n, Ordering::Relaxed);
        return false;
    }
    PEAK.fetch_max(now, Ordering::Relaxed);
    true
}

#[global_allocator]
static ALLOC: Counting = Counting;

// ---- corpus ------------------------------------------------------------------------------------

/// The targets with a mutation test below; must list every `fuzzing::TARGETS` entry.
const FUZZED: &[&str] = &[
    "zignsec_signing_response",
    "zignsec_eid_response",
    "zignsec_redirect",
    "webhook",
    "provider_error",
    "securosys_response",
    "securosys_error",
    "config_json",
    "request_json",
    "pdf",
    "pdf_signature",
    "file_name",
    "oauth_token",
    "onespan_response",
    "onespan_callback",
    "onespan_error",
    "content_disposition",
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.retain(|p| {
        !p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'))
    });
    out.sort();
    out
}

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for kind in ["corpus", "regressions"] {
        for p in files(&fuzz_dir().join(kind).join(target)) {
            match std::fs::read(&p) {
                Ok(d) => out.push((p, d)),
                Err(e) => panic!("{}: {e}", p.display()),
            }
        }
    }
    out
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".to_string())
}

fn hash(data: &[u8]) -> String {
    // FNV-1a, 64 bit: a stable name for an input.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn save_artifact(target: &str, kind: &str, data: &[u8]) -> PathBuf {
    let dir = fuzz_dir().join("artifacts").join(target);
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{kind}-{}", hash(data)));
    if let Err(e) = std::fs::write(&path, data) {
        eprintln!("cannot write {}: {e}", path.display());
    }
    path
}

fn target(name: &str) -> Target {
    match fuzzing::target(name) {
        Some(t) => t,
        None => panic!("no fuzz target {name:?} in signbridge::fuzzing::TARGETS"),
    }
}

#[test]
fn replay_corpus_and_regressions() {
    if let (Ok(t), Ok(input)) = (std::env::var("FUZZ_TARGET"), std::env::var("FUZZ_INPUT")) {
        // Relative to the workspace (make) or to core/ (where cargo runs tests).
        let root = fuzz_dir().join("..").join(&input);
        let data = std::fs::read(&input)
            .or_else(|_| std::fs::read(root))
            .expect("FUZZ_INPUT readable");
        (target(&t).run)(&data);
        return;
    }
    let names: BTreeSet<&str> = fuzzing::TARGETS.iter().map(|t| t.name).collect();
    assert_eq!(
        names,
        FUZZED.iter().copied().collect::<BTreeSet<_>>(),
        "every target has a mutation test here"
    );
    for kind in ["corpus", "regressions"] {
        for dir in std::fs::read_dir(fuzz_dir().join(kind))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = dir.file_name().to_string_lossy().into_owned();
            assert!(
                names.contains(name.as_str()),
                "fuzz/{kind}/{name} is no target"
            );
        }
    }
    let mut failures = Vec::new();
    for t in fuzzing::TARGETS {
        let seeds = seeds(t.name);
        assert!(
            seeds.len() >= 3,
            "fuzz/corpus/{} needs realistic seeds",
            t.name
        );
        for (path, data) in seeds {
            let r = std::panic::catch_unwind(|| (t.run)(&data));
            if let Err(p) = r {
                failures.push(format!("{}: {}", path.display(), panic_text(&*p)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for (issue, n) in fuzzing::known_issue_hits() {
        let why = fuzzing::KNOWN_ISSUES
            .iter()
            .find(|(k, _)| *k == issue)
            .map_or("", |(_, w)| *w);
        println!("known issue {issue} ({n} input(s)): {why}");
    }
}

// ---- mutation ----------------------------------------------------------------------------------

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
}

const INTERESTING: &[&str] = &[
    "0",
    "-1",
    "1",
    "-0",
    "0.5",
    "1e308",
    "1e309",
    "-1e308",
    "1e-400",
    "1e15",
    "1e20",
    "4294967296",
    "65536",
    "9007199254740993",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "631",
    "429",
    "999999999999",
    "null",
    "true",
    "false",
    "\"\"",
    "[]",
    "{}",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"..\"",
    "\"../../etc/passwd\"",
    "\"%2e%2e\"",
    "\"NaN\"",
];

const TOKENS: &[&str] = &[
    "{", "}", "[", "]", "\"", ":", ",", "\\", "\n", "\r\n", " ", "=", "&", "?", "#", "/", "..",
    "%", "%00", "%ff", "\u{0}", "\u{202e}", "é", "𝄞", "\u{feff}", "t=", "v1=", ",v1=", "%PDF-",
    "%%EOF", "data", "errors", "status", "id", "file", "{{BASE}}",
];

/// Object keys and short strings of every seed (JSON part), plus the generic tokens.
fn dictionary(corpus: &[Vec<u8>]) -> Vec<Vec<u8>> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::String(s) if s.len() <= 64 => {
                out.insert(s.clone());
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => {
                for (k, x) in o {
                    out.insert(k.clone());
                    walk(x, out);
                }
            }
            _ => {}
        }
    }
    let mut words = BTreeSet::new();
    for d in corpus {
        if let Some((_, v)) = json_part(d) {
            walk(&v, &mut words);
        }
    }
    let mut out: Vec<Vec<u8>> = words.into_iter().map(String::into_bytes).collect();
    out.extend(TOKENS.iter().map(|t| t.as_bytes().to_vec()));
    out.extend(INTERESTING.iter().map(|t| t.as_bytes().to_vec()));
    out
}

/// Where the JSON of an input starts (after any header lines) and the parsed value.
fn json_part(data: &[u8]) -> Option<(usize, Value)> {
    let start = data.iter().position(|&b| b == b'{' || b == b'[')?;
    let v = serde_json::from_slice(&data[start..]).ok()?;
    Some((start, v))
}

struct Mutator {
    rng: Rng,
    dict: Vec<Vec<u8>>,
    donors: Vec<Value>,
    max_len: usize,
}

impl Mutator {
    fn mutate(&mut self, base: &[u8], other: &[u8]) -> Vec<u8> {
        let mut data = base.to_vec();
        let rounds = 1 + self.rng.below(4);
        for _ in 0..rounds {
            if self.rng.chance(3) {
                if let Some(d) = self.mutate_json(&data) {
                    data = d;
                    continue;
                }
            }
            self.mutate_bytes(&mut data, other);
        }
        data.truncate(self.max_len);
        data
    }

    fn mutate_bytes(&mut self, data: &mut Vec<u8>, other: &[u8]) {
        let r = &mut self.rng;
        let len = data.len();
        match r.below(11) {
            0 if len > 0 => {
                let i = r.below(len);
                data[i] ^= 1 << r.below(8);
            }
            1 if len > 0 => {
                let i = r.below(len);
                data[i] = r.next() as u8;
            }
            2 => {
                let i = r.below(len + 1);
                let n = 1 + r.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| r.next() as u8).collect();
                data.splice(i..i, bytes);
            }
            3 if len > 0 => {
                let i = r.below(len);
                let n = 1 + r.below((len - i).min(64));
                data.drain(i..i + n);
            }
            4 if len > 0 => {
                // Duplicate a chunk somewhere else.
                let i = r.below(len);
                let n = 1 + r.below((len - i).min(256));
                let chunk = data[i..i + n].to_vec();
                let at = r.below(len + 1);
                data.splice(at..at, chunk);
            }
            5 if !other.is_empty() => {
                // Splice: our head, the other input's tail.
                let cut = r.below(len + 1);
                let from = r.below(other.len());
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            6 | 7 => {
                // A dictionary word inserted or written over.
                let Some(w) = r.pick(&self.dict).cloned() else {
                    return;
                };
                let i = r.below(len + 1);
                if r.chance(2) {
                    data.splice(i..i, w);
                } else {
                    let end = (i + w.len()).min(len);
                    data.splice(i..end, w);
                }
            }
            8 => {
                // A number replaced by an interesting one.
                let digits: Vec<usize> = (0..len).filter(|&i| data[i].is_ascii_digit()).collect();
                let Some(&i) = r.pick(&digits) else {
                    return;
                };
                let mut s = i;
                while s > 0 && (data[s - 1].is_ascii_digit() || b".-eE+".contains(&data[s - 1])) {
                    s -= 1;
                }
                let mut e = i;
                while e < len && (data[e].is_ascii_digit() || b".-eE+".contains(&data[e])) {
                    e += 1;
                }
                let w = INTERESTING[r.below(INTERESTING.len())].as_bytes().to_vec();
                data.splice(s..e, w);
            }
            9 if len > 0 => {
                // A run of one byte (long strings, deep nesting by brackets).
                let i = r.below(len + 1);
                let b = *r
                    .pick(&[b'[', b'{', b'a', b'9', b' ', 0u8, b'"'])
                    .unwrap_or(&b'a');
                let cap = if r.chance(4) { 4096 } else { 64 };
                let n = 1 + r.below(cap);
                data.splice(i..i, std::iter::repeat_n(b, n));
            }
            _ => {
                // Truncate.
                if len > 0 {
                    data.truncate(r.below(len));
                }
            }
        }
    }

    fn mutate_json(&mut self, data: &[u8]) -> Option<Vec<u8>> {
        let (start, mut v) = json_part(data)?;
        self.mutate_value(&mut v, 0);
        let text = if self.rng.chance(4) {
            serde_json::to_vec_pretty(&v).ok()?
        } else {
            serde_json::to_vec(&v).ok()?
        };
        let mut out = data[..start].to_vec();
        out.extend_from_slice(&text);
        Some(out)
    }

    fn random_value(&mut self) -> Value {
        let r = &mut self.rng;
        match r.below(8) {
            0 => Value::Null,
            1 => Value::Bool(r.chance(2)),
            2 => {
                serde_json::from_str(INTERESTING[r.below(INTERESTING.len())]).unwrap_or(Value::Null)
            }
            3 => Value::String("A".repeat(r.below(5000))),
            4 => Value::String(
                String::from_utf8_lossy(r.pick(&self.dict).map_or(&b""[..], |w| &w[..]))
                    .into_owned(),
            ),
            5 => Value::Array(Vec::new()),
            6 => Value::Object(serde_json::Map::new()),
            _ => self
                .donors
                .get(r.below(self.donors.len()))
                .cloned()
                .unwrap_or(Value::Null),
        }
    }

    fn word(&mut self) -> String {
        String::from_utf8_lossy(self.rng.pick(&self.dict).map_or(&b"x"[..], |w| &w[..]))
            .into_owned()
    }

    fn mutate_value(&mut self, v: &mut Value, depth: usize) {
        // Descend into a child two times out of three, when there is one.
        if depth < 64 && !self.rng.chance(3) {
            match v {
                Value::Array(a) if !a.is_empty() => {
                    let i = self.rng.below(a.len());
                    return self.mutate_value(&mut a[i], depth + 1);
                }
                Value::Object(o) if !o.is_empty() => {
                    let i = self.rng.below(o.len());
                    if let Some((_, child)) = o.iter_mut().nth(i) {
                        return self.mutate_value(child, depth + 1);
                    }
                }
                _ => {}
            }
        }
        match self.rng.below(9) {
            0 | 1 => *v = self.random_value(),
            2 => {
                // Nest deeply.
                let n = 1 + self.rng.below(200);
                for _ in 0..n {
                    *v = if self.rng.chance(2) {
                        Value::Array(vec![v.take()])
                    } else {
                        let mut m = serde_json::Map::new();
                        m.insert(self.word(), v.take());
                        Value::Object(m)
                    };
                }
            }
            3 => match v {
                Value::Object(o) if !o.is_empty() => {
                    let i = self.rng.below(o.len());
                    if let Some(k) = o.keys().nth(i).cloned() {
                        o.remove(&k);
                    }
                }
                Value::Array(a) if !a.is_empty() => {
                    let i = self.rng.below(a.len());
                    a.remove(i);
                }
                _ => *v = Value::Null,
            },
            4 => match v {
                Value::Object(o) => {
                    let k = self.word();
                    let x = self.random_value();
                    o.insert(k, x);
                }
                Value::Array(a) => {
                    let x = match a.first() {
                        Some(f) if self.rng.chance(2) => f.clone(),
                        _ => self.random_value(),
                    };
                    a.push(x);
                }
                _ => *v = self.random_value(),
            },
            5 => {
                // Rename a key.
                if let Value::Object(o) = v {
                    let i = self.rng.below(o.len().max(1));
                    if let Some(k) = o.keys().nth(i).cloned() {
                        if let Some(x) = o.remove(&k) {
                            let nk = self.word();
                            o.insert(nk, x);
                        }
                    }
                }
            }
            6 => match v {
                Value::String(s) => {
                    *s = match self.rng.below(5) {
                        0 => s.to_uppercase(),
                        1 => s.to_lowercase(),
                        2 => format!(" {s} "),
                        3 => format!("{s}{}", self.word()),
                        _ => s.chars().take(self.rng.below(s.len() + 1)).collect(),
                    }
                }
                Value::Number(n) => {
                    let f = n.as_f64().unwrap_or(0.0);
                    *v = serde_json::json!(match self.rng.below(4) {
                        0 => -f,
                        1 => f + 1.0,
                        2 => f * 1e12,
                        _ => f / 3.0,
                    });
                }
                _ => *v = self.random_value(),
            },
            7 => {
                // The same value as a string, or a string's number as a number.
                *v = match v.take() {
                    Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                    other => Value::String(other.to_string()),
                }
            }
            _ => {
                if let Some(d) = self.rng.pick(&self.donors).cloned() {
                    *v = d;
                }
            }
        }
    }
}

// ---- the fuzzing child and its parent ----------------------------------------------------------

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
/// Milliseconds since the child started when the current input began; 0 between inputs.
static RUNNING_SINCE: AtomicU64 = AtomicU64::new(0);
static DONE: AtomicBool = AtomicBool::new(false);

/// Runs in the child process (`FUZZ_CHILD_TARGET` set by the parent).
#[test]
#[ignore = "the fuzzing child: started by the per-target tests below"]
fn fuzz_child() {
    let Ok(name) = std::env::var("FUZZ_CHILD_TARGET") else {
        return;
    };
    let t = target(&name);
    let seconds = env_u64("FUZZ_SECONDS", 3);
    let timeout_ms = env_u64("FUZZ_TIMEOUT_S", 10) * 1000;
    let per_input = (env_u64("FUZZ_INPUT_MB", 64) as usize) << 20;
    // `FUZZ_RUNS` inputs from a fixed `FUZZ_SEED` are the same inputs on every machine (make
    // fuzz-smoke, part of make test); without `FUZZ_RUNS` the run lasts `FUZZ_SECONDS`, and
    // without `FUZZ_SEED` it explores from a new seed (make fuzz). Each target mixes its name
    // into the seed, so the targets do not walk the same sequence.
    let runs = std::env::var("FUZZ_RUNS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok());
    let given = env_u64("FUZZ_SEED", 0);
    let seed = if given == 0 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    } else {
        given
    };
    let stream = seed ^ u64::from_str_radix(&hash(name.as_bytes()), 16).unwrap_or(0);
    let current = PathBuf::from(std::env::var("FUZZ_CURRENT").expect("FUZZ_CURRENT"));
    // The input in progress, for the parent when this process dies: its length, then its
    // bytes, written in place (one pwrite per input, no open/close).
    let slot = std::fs::File::create(&current).expect("FUZZ_CURRENT writable");
    let corpus: Vec<Vec<u8>> = seeds(&name).into_iter().map(|(_, d)| d).collect();
    let longest = corpus.iter().map(Vec::len).max().unwrap_or(0);
    let max_len = (env_u64("FUZZ_MAX_LEN", 16_384) as usize).max(longest * 2);
    let mut m = Mutator {
        rng: Rng(stream),
        dict: dictionary(&corpus),
        donors: corpus
            .iter()
            .filter_map(|d| json_part(d).map(|(_, v)| v))
            .collect(),
        max_len,
    };
    std::panic::set_hook(Box::new(|info| {
        let msg = format!("{info}");
        *LAST_PANIC.lock().unwrap_or_else(|p| p.into_inner()) = Some(msg);
    }));
    let started = Instant::now();
    // The watchdog: an input running longer than the timeout is a hang.
    {
        let current = current.clone();
        let name = name.clone();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(200));
            if DONE.load(Ordering::Relaxed) {
                return;
            }
            let since = RUNNING_SINCE.load(Ordering::Relaxed);
            let now = started.elapsed().as_millis() as u64 + 1;
            if since != 0 && now.saturating_sub(since) > timeout_ms {
                let path = save_artifact(&name, "timeout", &in_progress(&current));
                println!(
                    "FUZZ-FAILURE {}: an input ran longer than {} s (hang)",
                    path.display(),
                    timeout_ms / 1000
                );
                std::process::exit(3);
            }
        });
    }
    LIMIT.store(
        (env_u64("FUZZ_MALLOC_MB", 1024) as usize) << 20,
        Ordering::Relaxed,
    );
    let mut pool: Vec<Vec<u8>> = corpus.clone();
    if pool.is_empty() {
        pool.push(Vec::new());
    }
    let deadline = started + Duration::from_secs(seconds);
    let mut execs: u64 = 0;
    // Mutated inputs run so far: with the seed, what replays a finding (`FUZZ_RUNS`).
    let done = std::cell::Cell::new(0u64);
    let mut run = |data: &[u8]| {
        {
            use std::os::unix::fs::FileExt as _;
            let mut buf = Vec::with_capacity(data.len() + 8);
            buf.extend_from_slice(&(data.len() as u64).to_le_bytes());
            buf.extend_from_slice(data);
            if let Err(e) = slot.write_all_at(&buf, 0) {
                panic!("{}: {e}", current.display());
            }
        }
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        RUNNING_SINCE.store(started.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
        let r = std::panic::catch_unwind(|| (t.run)(data));
        RUNNING_SINCE.store(0, Ordering::Relaxed);
        execs += 1;
        if r.is_err() {
            let msg = LAST_PANIC
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take()
                .unwrap_or_default();
            let path = save_artifact(&name, "crash", data);
            println!(
                "FUZZ-FAILURE {} (FUZZ_SEED={seed} FUZZ_RUNS={}): {}",
                path.display(),
                done.get(),
                msg.replace('\n', " / ")
            );
            std::process::exit(1);
        }
        let grew = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        if grew > per_input {
            let path = save_artifact(&name, "memory", data);
            println!(
                "FUZZ-FAILURE {} (FUZZ_SEED={seed} FUZZ_RUNS={}): {} MiB of heap for an input of {} bytes",
                path.display(),
                done.get(),
                grew >> 20,
                data.len()
            );
            std::process::exit(1);
        }
    };
    for d in &corpus {
        run(d);
    }
    let more = |done: u64| match runs {
        Some(n) => done < n,
        None => Instant::now() < deadline,
    };
    while more(done.get()) {
        for _ in 0..64 {
            if runs.is_some_and(|n| done.get() >= n) {
                break;
            }
            done.set(done.get() + 1);
            let a = m.rng.below(pool.len());
            let b = m.rng.below(pool.len());
            let input = m.mutate(&pool[a], &pool[b]);
            run(&input);
            // Keep some mutants to mutate further (bounded, random replacement).
            if m.rng.chance(16) {
                if pool.len() < corpus.len() + 256 {
                    pool.push(input);
                } else {
                    let i = corpus.len() + m.rng.below(256);
                    pool[i] = input;
                }
            }
        }
    }
    DONE.store(true, Ordering::Relaxed);
    for (issue, n) in fuzzing::known_issue_hits() {
        println!("FUZZ-KNOWN {name}: {n} input(s) hit the reported issue {issue}");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "FUZZ-STATS {name}: {execs} execs in {secs:.1} s = {:.0} execs/s (seeds {}, FUZZ_SEED={seed})",
        execs as f64 / secs.max(0.001),
        corpus.len()
    );
}

/// The input the child was running (see `fuzz_child`).
fn in_progress(current: &Path) -> Vec<u8> {
    let raw = std::fs::read(current).unwrap_or_default();
    let len = raw
        .get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map_or(0, |b| u64::from_le_bytes(b) as usize);
    raw.get(8..8 + len).map(<[u8]>::to_vec).unwrap_or_default()
}

/// Runs one target's child and reports what happened to it.
fn fuzz(name: &str) {
    target(name);
    let seconds = env_u64("FUZZ_SECONDS", 3);
    let work = fuzz_dir().join("artifacts").join(name);
    std::fs::create_dir_all(&work).expect("artifacts directory");
    let current = work.join(".current-input");
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args([
            "fuzz_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("FUZZ_CHILD_TARGET", name)
        .env("FUZZ_CURRENT", &current)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the fuzzing child");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    // The child has its own watchdog; this one only catches a child that cannot stop itself.
    let hard = Instant::now() + Duration::from_secs(seconds + env_u64("FUZZ_TIMEOUT_S", 10) + 120);
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if Instant::now() > hard => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("waiting for the fuzzing child: {e}"),
        }
    };
    let stdout = reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    // libtest writes "test fuzz_child ... " before the child's own lines.
    let marked = |mark: &'static str| {
        stdout
            .lines()
            .filter_map(move |l| l.find(mark).map(|i| l[i..].to_string()))
    };
    for line in marked("FUZZ-STATS").chain(marked("FUZZ-KNOWN")) {
        println!("{line}");
    }
    if status.is_some_and(|s| s.success()) {
        let _ = std::fs::remove_file(&current);
        assert!(
            stdout.contains("FUZZ-STATS"),
            "the fuzzing child ran nothing:\n{stdout}\n{stderr}"
        );
        return;
    }
    if let Some(line) = marked("FUZZ-FAILURE").next() {
        let file = line
            .trim_start_matches("FUZZ-FAILURE ")
            .split(" (FUZZ_SEED")
            .next()
            .unwrap_or("")
            .to_string();
        // Relative to the workspace: the replay command works from its root.
        let rel = format!(
            "fuzz/artifacts/{name}/{}",
            Path::new(&file)
                .file_name()
                .map_or(String::new(), |f| f.to_string_lossy().into_owned())
        );
        panic!(
            "{line}\nreplay: FUZZ_TARGET={name} FUZZ_INPUT={rel} cargo test -p signbridge \
             --test fuzz_smoke replay_corpus_and_regressions -- --nocapture\nafter the fix: \
             `mv {rel} fuzz/regressions/{name}/` and commit it (make test replays it)"
        );
    }
    // Killed by a signal (abort: a refused allocation, a stack overflow) or stuck.
    let data = in_progress(&current);
    let kind = if stderr.contains("memory allocation") {
        "oom"
    } else if status.is_none() {
        "timeout"
    } else {
        "crash"
    };
    let path = save_artifact(name, kind, &data);
    panic!(
        "the fuzzing child of {name} died ({status:?}) on the input saved as {}:\n{}",
        path.display(),
        stderr
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

macro_rules! fuzz_tests {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        #[ignore = "mutation fuzzing: make fuzz-smoke (short) or make fuzz (long)"]
        fn $name() {
            fuzz(stringify!($name));
        }
    )*};
}

fuzz_tests!(
    zignsec_signing_response,
    zignsec_eid_response,
    zignsec_redirect,
    webhook,
    provider_error,
    securosys_response,
    securosys_error,
    config_json,
    request_json,
    pdf,
    pdf_signature,
    file_name,
    oauth_token,
    onespan_response,
    onespan_callback,
    onespan_error,
    content_disposition,
);

'use strict'
// The Node measurements of `make bench`: one JSON line per result on stdout.
//
//   node bench.js overhead      N status reads, sequential and 64 in flight: addon vs fetch (undici)
//   node bench.js waits PDF     10 000 concurrent wait()s: RSS growth and thread count
//   node bench.js complete      (child of `waits`) completes the session ids read from stdin
//   node bench.js flow PDF      complete signing flows per second (sequential and 64 concurrent)
//   node bench.js startup       (fresh process) require('signbridge') + construction
//
// Environment: SIM_URL, SIM_KEY, BENCH_N (5000), BENCH_FLOWS (300), BENCH_WAITS (10000),
// SIGNBRIDGE_NODE (the package directory to require; the release build by default).

const fs = require('fs')
const path = require('path')

const BASE = (process.env.SIM_URL || 'http://127.0.0.1:8089').replace(/\/$/, '')
const KEY = process.env.SIM_KEY || '5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11'
const N = Number(process.env.BENCH_N || 5000)
const FLOWS = Number(process.env.BENCH_FLOWS || 300)
const WAITS = Number(process.env.BENCH_WAITS || 10000)
const PKG = process.env.SIGNBRIDGE_NODE || path.resolve(__dirname, '../../build/bench/node')
const ROUNDS = 50
const INFLIGHT = 64

const now = () => Number(process.hrtime.bigint()) / 1e3 // microseconds

function pct (sorted, p) {
  if (!sorted.length) return NaN
  const i = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(Math.max(i, 1), sorted.length) - 1]
}

function emit (bench, impl, samples, totalUs, extra = {}) {
  const row = { bench, lang: 'node', impl }
  if (samples) {
    const s = Float64Array.from(samples).sort()
    Object.assign(row, { n: s.length, median_us: pct(s, 50), p90_us: pct(s, 90) })
    if (totalUs) row.ops_per_s = s.length / (totalUs / 1e6)
  }
  Object.assign(row, extra)
  console.log(JSON.stringify(row))
}

function procStatus (field) {
  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(field))
  return line ? Number(line.split(/\s+/)[1]) : 0
}

function signing () {
  const { Client } = require(PKG)
  return new Client({ zignsec: { base_url: BASE, keys: [KEY] } }).zignsecSigning()
}

async function complete (id) {
  const r = await fetch(`${BASE}/_sim/zignsec/signing/${id}/complete`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}'
  })
  if (!r.ok) throw new Error(`complete ${id}: ${r.status}`)
  await r.arrayBuffer()
}

/** Run `total` calls of f with `width` in flight; returns per-call latencies and wall time. */
async function pool (f, total, width) {
  const lat = []
  let next = 0
  const t0 = now()
  await Promise.all(Array.from({ length: width }, async () => {
    while (next++ < total) {
      const t = now()
      await f()
      lat.push(now() - t)
    }
  }))
  return { lat, wall: now() - t0 }
}

async function overhead () {
  const s = signing()
  const { id } = await s.create()
  const url = `${BASE}/api/v5/sessions/signing/${id}`
  const headers = { 'Zs-Product-Key': KEY }
  const impls = [
    ['signbridge addon (parsed SigningStatus)', () => s.status({ sessionId: id })],
    ['fetch / undici (+ .json())', async () => {
      const r = await fetch(url, { headers })
      if (!r.ok) throw new Error(`status ${r.status}`)
      return r.json()
    }]
  ]
  for (const [, f] of impls) for (let i = 0; i < 200; i++) await f()
  const per = Math.max(Math.floor(N / ROUNDS), 1)
  for (const width of [1, INFLIGHT]) {
    const lat = new Map(impls.map(([n]) => [n, []]))
    const wall = new Map(impls.map(([n]) => [n, 0]))
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, f] of impls) {
        const res = await pool(f, per, width)
        lat.get(name).push(...res.lat)
        wall.set(name, wall.get(name) + res.wall)
      }
    }
    for (const [name] of impls) {
      emit(width === 1 ? 'node_seq' : 'node_inflight', name, lat.get(name), wall.get(name), { in_flight: width })
    }
  }
}

async function startedSession (s, pdf) {
  const { id } = await s.create()
  const f = await s.upload({ sessionId: id, name: 'contract.pdf', pdf })
  await s.start({ sessionId: id, start: { files: [{ fileId: f.fileId }] } })
  return id
}

/** Complete `ids` through the control API from a child process (`node bench.js complete`). */
function completeElsewhere (ids) {
  return new Promise((resolve, reject) => {
    const child = require('child_process').spawn(process.execPath, [__filename, 'complete'],
      { stdio: ['pipe', 'inherit', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (code) => code === 0 ? resolve() : reject(new Error(`completing child exited with ${code}`)))
    child.stdin.end(JSON.stringify(ids))
  })
}

/** `node bench.js complete`: complete the session ids read as JSON from stdin, 64 in flight. */
async function completeFromStdin () {
  const chunks = []
  for await (const c of process.stdin) chunks.push(c)
  const ids = JSON.parse(Buffer.concat(chunks).toString())
  await pool(async () => { await complete(ids.pop()) }, ids.length, INFLIGHT)
}

async function waits (pdfPath) {
  const pdf = fs.readFileSync(pdfPath)
  const s = signing()
  const ids = []
  const t0 = now()
  await pool(async () => { ids.push(await startedSession(s, pdf)) }, WAITS, INFLIGHT)
  const prepSecs = (now() - t0) / 1e6
  if (global.gc) global.gc()
  await new Promise((resolve) => setTimeout(resolve, 200))
  const rss0 = procStatus('VmRSS:')
  const threads0 = procStatus('Threads:')
  const heap0 = process.memoryUsage().heapTotal
  let rssMax = rss0
  let heapAtPeak = heap0
  let threadsMax = threads0
  const sample = setInterval(() => {
    const rss = procStatus('VmRSS:')
    if (rss > rssMax) {
      rssMax = rss
      heapAtPeak = process.memoryUsage().heapTotal
    }
    threadsMax = Math.max(threadsMax, procStatus('Threads:'))
  }, 50)
  const intervalMs = Number(process.env.BENCH_WAIT_INTERVAL_MS || 2000)
  const tw = now()
  let ok = 0
  const all = ids.map((id) => s.wait({ sessionId: id }, { intervalMs, timeoutMs: 600000 }).then((st) => {
    if (st.status === 'Finished') ok++
  }))
  // Let every wait make its first poll, then complete the sessions via the control API. The
  // completing (the signers, at the provider) runs in a child process: its 10 000 fetch calls
  // are not the waiting application's memory.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const rssWaiting = procStatus('VmRSS:')
  const heapWaiting = process.memoryUsage().heapTotal
  await completeElsewhere(ids)
  await Promise.all(all)
  const allSecs = (now() - tw) / 1e6
  clearInterval(sample)
  rssMax = Math.max(rssMax, procStatus('VmRSS:'))
  threadsMax = Math.max(threadsMax, procStatus('Threads:'))
  emit('node_waits', 'signbridge addon wait()', null, null, {
    waits: WAITS,
    finished: ok,
    interval_ms: intervalMs,
    rss_before_kb: rss0,
    rss_growth_waiting_kb: rssWaiting - rss0,
    rss_growth_peak_kb: rssMax - rss0,
    // The JavaScript heap's part of the growth (V8 heapTotal), at 1 s and at the RSS peak.
    js_heap_growth_waiting_kb: Math.round((heapWaiting - heap0) / 1024),
    js_heap_growth_peak_kb: Math.round((heapAtPeak - heap0) / 1024),
    threads_before: threads0,
    threads_max: threadsMax,
    prepare_secs: prepSecs,
    all_finished_secs: allSecs
  })
}

async function flow (pdfPath) {
  const pdf = fs.readFileSync(pdfPath)
  const s = signing()
  const one = async () => {
    const id = await startedSession(s, pdf)
    await complete(id)
    const st = await s.status({ sessionId: id })
    await s.download({ file: st.signedFiles[0] })
  }
  for (let i = 0; i < 10; i++) await one()
  for (const width of [1, INFLIGHT]) {
    const total = width === 1 ? FLOWS : Math.max(FLOWS, INFLIGHT) * 2
    const { lat, wall } = await pool(one, total, width)
    emit('flow', width === 1 ? 'signbridge addon, sequential' : `signbridge addon, ${width} concurrent`,
      lat, wall, { concurrency: width })
  }
}

function startup () {
  const t0 = performance.now()
  const { Client } = require(PKG)
  const t1 = performance.now()
  new Client({ zignsec: { base_url: BASE, keys: [KEY] } }).zignsecSigning()
  const t2 = performance.now()
  console.log(JSON.stringify({ import_ms: t1 - t0, construct_ms: t2 - t1 }))
}

const cmd = process.argv[2]
const main = { overhead, waits, flow, startup, complete: completeFromStdin }[cmd]
if (!main) {
  console.error('usage: node bench.js overhead | waits PDF | flow PDF | startup')
  process.exit(2)
}
Promise.resolve(main(process.argv[3])).then(() => {
  // The addon's runtime keeps no handle open, but be explicit.
  if (cmd !== 'startup') process.exit(0)
}, (err) => {
  console.error('bench.js:', err)
  process.exit(1)
})

'use strict'
// The Node clients of the realistic-network suite (bench/net.py runs them, one fresh process per
// scenario and implementation, and counts the TLS handshakes at the simulator around each).
//
//   node net.js SCENARIO IMPL
//
// IMPL: `signbridge` (the addon, one Client) or `undici` (undici's `fetch` with one
// `Agent({ connect: { ca, cert, key } })` as its dispatcher; undici from NET_UNDICI, the npm
// package installed into build/bench/npm).
// SCENARIO: `threads` (NET_THREADS=32 concurrent tasks × NET_CALLS=20 calls, NET_THINK_MS=50 ms
// apart), `staggered` (the same, tasks started evenly over NET_RAMP_MS=3000 ms), `cold`
// (require → client → first answer, once). Node has no thread per request: `tpr` is not run.
//
// Each call reads a session's status and decodes the JSON. Environment: NET_URL, NET_CA, NET_CERT,
// NET_KEY, SIM_KEY, NET_SID, SIGNBRIDGE_NODE (the addon package), NET_UNDICI.

const T_START = performance.now()
const fs = require('fs')
const path = require('path')

const URL_ = (process.env.NET_URL || '').replace(/\/$/, '')
const KEY = process.env.SIM_KEY || ''
const SID = process.env.NET_SID || ''
const PKG = process.env.SIGNBRIDGE_NODE || path.resolve(__dirname, '../../build/bench/node')
const UNDICI = process.env.NET_UNDICI || path.resolve(__dirname, '../../build/bench/npm/node_modules/undici')
const num = (name, d) => Number(process.env[name] || d)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function pct (sorted, p) {
  if (!sorted.length) return NaN
  const i = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(Math.max(i, 1), sorted.length) - 1]
}

function make (impl) {
  if (impl === 'signbridge') {
    const { Client } = require(PKG)
    const s = new Client({
      zignsec: {
        base_url: URL_,
        keys: [KEY],
        client_cert: { cert: { file: process.env.NET_CERT }, key: { file: process.env.NET_KEY } }
      },
      transport: { ca_file: process.env.NET_CA }
    }).zignsecSigning()
    return () => s.status({ sessionId: SID })
  }
  if (impl === 'undici') {
    const { fetch, Agent } = require(UNDICI)
    const dispatcher = new Agent({
      connect: {
        ca: fs.readFileSync(process.env.NET_CA),
        cert: fs.readFileSync(process.env.NET_CERT),
        key: fs.readFileSync(process.env.NET_KEY)
      }
    })
    const url = `${URL_}/api/v5/sessions/signing/${SID}`
    const headers = { 'Zs-Product-Key': KEY }
    return async () => {
      const r = await fetch(url, { headers, dispatcher })
      if (!r.ok) throw new Error(`status ${r.status}`)
      return r.json()
    }
  }
  throw new Error(`unknown implementation ${impl} (signbridge | undici)`)
}

async function tasks (call, rampMs) {
  const n = num('NET_THREADS', 32)
  const calls = num('NET_CALLS', 20)
  const think = num('NET_THINK_MS', 50)
  const lat = []
  let now = 0
  let peak = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: n }, async (_, i) => {
    if (rampMs) await sleep((rampMs * i) / n)
    for (let k = 0; k < calls; k++) {
      if (k) await sleep(think)
      peak = Math.max(peak, ++now)
      const t = performance.now()
      try {
        await call()
      } finally {
        now--
      }
      lat.push(performance.now() - t)
    }
  }))
  return { lat, wall: (performance.now() - t0) / 1e3, peak }
}

async function main () {
  const [scenario, impl] = process.argv.slice(2)
  if (scenario === 'cold') {
    const t = performance.now()
    const call = make(impl)
    const built = performance.now() - t
    await call()
    const first = performance.now() - t
    console.log(JSON.stringify({
      scenario, lang: 'node', impl, construct_ms: built, first_answer_ms: first,
      since_main_ms: performance.now() - T_START
    }))
    return
  }
  const call = make(impl)
  let res
  if (scenario === 'threads') res = await tasks(call, 0)
  else if (scenario === 'staggered') res = await tasks(call, num('NET_RAMP_MS', 3000))
  else throw new Error(`unknown scenario ${scenario} (threads | staggered | cold)`)
  const s = Float64Array.from(res.lat).sort()
  console.log(JSON.stringify({
    scenario, lang: 'node', impl, n: s.length, p50_ms: pct(s, 50), p99_ms: pct(s, 99),
    max_ms: s[s.length - 1], wall_s: res.wall, peak_in_flight: res.peak
  }))
}

main().then(() => process.exit(0), (err) => {
  console.error('net.js:', err)
  process.exit(1)
})

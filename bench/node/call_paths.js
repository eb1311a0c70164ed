'use strict'
// Where a Node call's time goes, by path: the generated facade (`status({ sessionId })`),
// `client.callCamelCase` directly (the facade's only call), and `client.call` with the table's
// own snake_case request (no camelCase walk in the core). 3 rounds × 5,000 status reads, 64 in
// flight, against a running simulator; not part of `make bench`.
//
//   SIGNBRIDGE_NODE=build/bench/node/index.js SIM_URL=http://127.0.0.1:PORT SIM_KEY=<key> \
//     node bench/node/call_paths.js
// (`make bench` leaves the release addon in build/bench/node; the key is the simulator's
// DEFAULT_PRIMARY_KEY, printed by `signbridge sim`.)
const { Client } = require(process.env.SIGNBRIDGE_NODE || '../../bindings-node')

const client = new Client({ zignsec: { base_url: process.env.SIM_URL, keys: [process.env.SIM_KEY] } })
const signing = client.zignsecSigning()
const now = () => Number(process.hrtime.bigint()) / 1e3

/** Calls per second of `total` calls of `f`, `width` in flight, and this process's CPU time
 * per call in µs (JavaScript thread and the core's runtime threads together: what a call costs
 * the service that makes it, less sensitive than throughput to other load on the machine). */
async function pool (f, total, width) {
  let next = 0
  const t0 = now()
  const cpu0 = process.cpuUsage()
  await Promise.all(Array.from({ length: width }, async () => {
    while (next++ < total) await f()
  }))
  const cpu = process.cpuUsage(cpu0)
  return { rate: total / ((now() - t0) / 1e6), cpu: (cpu.user + cpu.system) / total }
}

async function main () {
  const { id } = await signing.create()
  const paths = {
    facade: () => signing.status({ sessionId: id }),
    callCamelCase: () => client.callCamelCase('zignsec.signing_status', { sessionId: id }),
    call: () => client.call('zignsec.signing_status', { session_id: id })
  }
  for (let round = 0; round < 3; round++) {
    for (const [name, f] of Object.entries(paths)) {
      await pool(f, 500, 64) // warm-up
      const { rate, cpu } = await pool(f, 5000, 64)
      console.log(`round ${round} ${name}: ${Math.round(rate)} calls/s, ${cpu.toFixed(1)} µs CPU/call`)
    }
  }
}

main().catch((e) => { console.error(e); process.exit(1) })

'use strict'
// Use from worker_threads: each worker loads the addon in its own environment, and all of them
// share the core's one runtime.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const { setTimeout: sleep } = require('node:timers/promises')

const { Client } = require('..')
const h = require('./helpers')

let sim

before(async () => {
  sim = await h.startSim()
})

after(async () => {
  await sim.stop()
})

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { Client } = require(workerData.pkg)
const h = require(workerData.helpers)
;(async () => {
  const sim = { url: workerData.url }
  const s = new Client(h.config(sim)).zignsecSigning()
  const started = await s.signDocuments({ documents: [{ name: 'w.pdf', data: h.samplePdf('Worker') }] })
  parentPort.postMessage({ started: started.id })
  if (workerData.hang) return s.wait({ sessionId: started.id }, { intervalMs: 100 })
  await h.complete(sim, started.id)
  const done = await s.wait({ sessionId: started.id }, { intervalMs: 100 })
  const bytes = await s.download({ file: done.signedFiles[0] })
  const e = await s.status({ sessionId: '../x' }).catch((x) => x)
  parentPort.postMessage({ status: done.status, isBuffer: Buffer.isBuffer(bytes), size: bytes.length, code: e.code, errno: e.errno, isError: e instanceof Error })
})().catch((e) => parentPort.postMessage({ error: String((e && e.stack) || e) }))
`

function runWorker (extra = {}) {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { pkg: path.join(__dirname, '..'), helpers: path.join(__dirname, 'helpers.js'), url: sim.url, ...extra }
  })
  const messages = []
  const done = new Promise((resolve, reject) => {
    worker.on('message', (m) => {
      messages.push(m)
      if (m.error) reject(new Error(m.error))
      if (m.status) resolve(m)
    })
    worker.on('error', reject)
    worker.on('exit', (code) => { if (!extra.hang) reject(new Error(`worker exited with ${code} early`)) })
  })
  return { worker, done, messages }
}

test('three workers and the main thread sign concurrently', async () => {
  const workers = [runWorker(), runWorker(), runWorker()]
  const main = (async () => {
    const s = new Client(h.config(sim)).zignsecSigning()
    const started = await s.signDocuments({ documents: [{ name: 'm.pdf', data: h.samplePdf('Main') }] })
    await h.complete(sim, started.id)
    return (await s.wait({ sessionId: started.id }, { intervalMs: 100 })).status
  })()
  const results = await Promise.all(workers.map((w) => w.done))
  for (const r of results) {
    assert.equal(r.status, 'Finished')
    assert.equal(r.isBuffer, true)
    assert.ok(r.size > 0)
    assert.equal(r.code, 'SB_ERR_INVALID_ARGUMENT')
    assert.equal(r.errno, 100)
    assert.equal(r.isError, true)
  }
  assert.equal(await main, 'Finished')
  await Promise.all(workers.map((w) => w.worker.terminate()))
})

test('a worker terminated during a wait does not disturb the process', async () => {
  const w = runWorker({ hang: true })
  while (!w.messages.some((m) => m.started)) await sleep(20)
  const id = w.messages.find((m) => m.started).started
  await sleep(250)
  await w.worker.terminate()
  // The core task ends after its environment is gone; settling it must be a no-op.
  await h.control(sim, 'POST', `/_sim/zignsec/signing/${id}/cancel`)
  await sleep(400)
  const s = new Client(h.config(sim)).zignsecSigning()
  assert.equal((await s.create()).status, 'Created')
})

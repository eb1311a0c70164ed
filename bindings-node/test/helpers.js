'use strict'
// Shared by the test files: start the simulator binary, talk to its control API, make PDFs.

const { spawn } = require('node:child_process')
const path = require('node:path')
const readline = require('node:readline')

const ROOT = path.resolve(__dirname, '..', '..')
const TARGET = process.env.CARGO_TARGET_DIR
  ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR)
  : path.join(ROOT, 'target')
const SIM_BIN = process.env.SIGNBRIDGE_SIM_BIN || path.join(TARGET, 'debug', 'signbridge-sim')

const PRIMARY_KEY = '5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11'
const SECONDARY_KEY = '8c2d4e6f-1a3b-4c5d-8e7f-90a1b2c3d4e5'
const AKSEL = '06046517928'

// The simulator's Securosys credentials (`signbridge_sim::SECUROSYS_*`, simulator/README.md).
const SECUROSYS = Object.freeze({
  keyManagement: 'sim-securosys-key-management-0001',
  keyOperation: 'sim-securosys-key-operation-0001',
  approver: 'sim-securosys-approver-0001',
  service: 'sim-securosys-service-0001',
  jwt: 'sim-securosys-jwt-0001'
})

/**
 * Start `signbridge-sim --port 0`; resolves with { url, stop }. With `tlsDir`, the simulator also
 * serves two-way TLS with a test PKI written into that directory: resolves with { url, tlsUrl,
 * tlsDir, stop } once both listeners are up.
 */
function startSim ({ tlsDir } = {}) {
  return new Promise((resolve, reject) => {
    const args = ['--port', '0', '--quiet', ...(tlsDir ? ['--tls-dir', tlsDir] : [])]
    const proc = spawn(SIM_BIN, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    const timer = setTimeout(() => {
      proc.kill()
      reject(new Error(`${SIM_BIN} printed no URL within 20 s`))
    }, 20000)
    proc.once('error', (e) => {
      clearTimeout(timer)
      reject(new Error(`cannot start ${SIM_BIN}: ${e.message} (build it with cargo build -p signbridge-sim)`))
    })
    const lines = readline.createInterface({ input: proc.stdout })
    let url = null
    lines.on('line', (line) => {
      const m = url === null
        ? /listening on (http:\/\/\S+)/.exec(line)
        : /tls listening on (https:\/\/\S+)/.exec(line)
      if (!m) {
        clearTimeout(timer)
        lines.removeAllListeners('line')
        proc.kill()
        reject(new Error(`unexpected simulator output: ${line}`))
        return
      }
      if (url === null) {
        url = m[1]
        if (tlsDir) return // wait for the TLS listener's line
      }
      clearTimeout(timer)
      lines.removeAllListeners('line')
      resolve({
        url,
        tlsUrl: tlsDir ? m[1] : undefined,
        tlsDir,
        proc,
        stop: () =>
          new Promise((done) => {
            if (proc.exitCode !== null) return done()
            proc.once('exit', () => done())
            proc.kill('SIGTERM')
          })
      })
    })
  })
}

/** A control-API call; throws unless the answer is 2xx. Resolves with the parsed JSON or null. */
async function control (sim, method, p, body) {
  const r = await fetch(sim.url + p, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await r.text()
  if (r.status >= 300) throw new Error(`control ${method} ${p}: ${r.status} ${text}`)
  return text ? JSON.parse(text) : null
}

const fault = (sim, spec) => control(sim, 'POST', '/_sim/faults', spec)
const recorded = (sim) => control(sim, 'GET', '/_sim/requests')
const clearRecorded = (sim) => control(sim, 'DELETE', '/_sim/requests')
const complete = (sim, id, personalNumber) =>
  control(sim, 'POST', `/_sim/zignsec/signing/${id}/complete`, personalNumber ? { personal_number: personalNumber } : {})

/** The config of a client of `sim` (the one config schema, snake_case). */
function config (sim, keys = [PRIMARY_KEY, SECONDARY_KEY], extra = {}) {
  return {
    zignsec: { base_url: sim.url, keys, ...(extra.zignsec || {}) },
    transport: { backoff_base_ms: 20, backoff_max_ms: 100, ...(extra.transport || {}) }
  }
}

// The simulator's OneSpan credentials (`signbridge_sim::ONESPAN_*`, simulator/README.md).
const ONESPAN = Object.freeze({
  apiKey: 'c2JTaW1BY2N0MDAxOnNiU2ltU2VjcjAwMQ==',
  clientAppId: 'sim-onespan-client-app',
  clientAppSecret: 'sim-onespan-app-secret-0001',
  oauthClientId: 'sim-onespan-oauth-client',
  oauthClientSecret: 'sim-onespan-oauth-secret-0001',
  senderEmail: 'sender@example.com',
  senderId: 'sbSimSendr01'
})

/** The config of a OneSpan client of `sim`; `auth` is the credential part (API key by default). */
function onespanConfig (sim, auth = { api_key: ONESPAN.apiKey }) {
  return {
    onespan: { base_url: sim.url, ...auth },
    transport: { backoff_base_ms: 20, backoff_max_ms: 100 }
  }
}

/** Play a OneSpan signer on the simulator: sign, or decline / opt out with a reason. */
const onespanAct = (sim, packageId, roleId, action = 'sign', reason) =>
  control(sim, 'POST', `/_sim/onespan/packages/${encodeURIComponent(packageId)}/roles/${encodeURIComponent(roleId)}/${action}`,
    reason === undefined ? undefined : { reason })

/**
 * The config of a Securosys client of `sim`: every role's key unless `apiKeys` says otherwise,
 * plus `extra` fields of the `securosys` section (jwt, client_cert).
 */
function securosysConfig (sim, apiKeys, extra = {}) {
  return {
    securosys: {
      base_url: sim.url,
      api_keys: apiKeys ?? {
        key_management: [SECUROSYS.keyManagement],
        key_operation: [SECUROSYS.keyOperation],
        approver: [SECUROSYS.approver],
        service: [SECUROSYS.service]
      },
      ...extra
    },
    transport: { backoff_base_ms: 20, backoff_max_ms: 100 }
  }
}

/** The simulator's log of Securosys requests (roles of the keys each carried, never values). */
const securosysLog = (sim) => control(sim, 'GET', '/_sim/securosys/requests')
const clearSecurosysLog = (sim) => control(sim, 'DELETE', '/_sim/securosys/requests')

/** A small valid PDF with `pages` pages (correct xref offsets). */
function samplePdf (title, pages = 1) {
  const kids = []
  const objs = []
  let next = 4
  for (let i = 0; i < pages; i++) {
    const pageId = next++
    const contentId = next++
    kids.push(`${pageId} 0 R`)
    const text = `BT /F1 18 Tf 72 720 Td (${title} - page ${i + 1}) Tj ET`
    objs.push([pageId, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentId} 0 R >>`])
    objs.push([contentId, `<< /Length ${Buffer.byteLength(text, 'latin1')} >>\nstream\n${text}\nendstream`])
  }
  const all = [
    [1, '<< /Type /Catalog /Pages 2 0 R >>'],
    [2, `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`],
    [3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
    ...objs
  ]
  let out = '%PDF-1.4\n'
  const offsets = []
  for (const [id, body] of all) {
    offsets[id] = Buffer.byteLength(out, 'latin1')
    out += `${id} 0 obj\n${body}\nendobj\n`
  }
  const xref = Buffer.byteLength(out, 'latin1')
  out += `xref\n0 ${next}\n0000000000 65535 f \n`
  for (let id = 1; id < next; id++) out += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${next} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

/** Fill in the hosted signing page as a test user; resolves with the raw answer. */
async function submitPage (redirectUrl, personalNumber, password, action) {
  const page = await fetch(redirectUrl)
  const html = await page.text()
  if (page.status !== 200) throw new Error(`page ${page.status}: ${html}`)
  const m = /<form[^>]*action="([^"]*)"/i.exec(html)
  if (!m) throw new Error('no form on the hosted page')
  const target = new URL(m[1].replace(/&amp;/g, '&'), redirectUrl)
  return fetch(target, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ personal_number: personalNumber, otp: 'otp', password, action }).toString()
  })
}

/**
 * Identify (or cancel) on the hosted eID page as a browser would; resolves with the Location the
 * browser is sent to, or null when the session has no redirect URL (a final page is shown).
 */
async function eidPage (redirectUrl, personalNumber, action = 'identify') {
  const page = await fetch(redirectUrl)
  const html = await page.text()
  if (page.status !== 200) throw new Error(`eID page ${page.status}: ${html}`)
  const m = /<form[^>]*action="([^"]*)"/i.exec(html)
  if (!m) throw new Error('no form on the hosted eID page')
  const target = new URL(m[1].replace(/&amp;/g, '&'), redirectUrl)
  const answer = await fetch(target, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ personal_number: personalNumber, action }).toString()
  })
  if (Math.floor(answer.status / 100) === 3) return answer.headers.get('location')
  const text = await answer.text()
  if (answer.status !== 200 || /class="error"/.test(text)) throw new Error(`eID page answered ${answer.status}: ${text}`)
  return null
}

/**
 * A webhook receiver on loopback answering with `statuses` in turn (then 200). Resolves with
 * { url, next(), close() }; next() resolves with the next delivery { header, body, status }.
 */
function receiver (statuses = []) {
  const http = require('node:http')
  const queue = []
  const waiting = []
  let i = 0
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const status = statuses[i++] ?? 200
      res.writeHead(status, { 'content-length': 0 }).end()
      const d = { header: req.headers['x-zignsec-hmac-sha256'], headers: req.headers, body: Buffer.concat(chunks), status }
      const w = waiting.shift()
      if (w) w(d)
      else queue.push(d)
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}/hook`,
        next: (ms = 15000) =>
          queue.length
            ? Promise.resolve(queue.shift())
            : new Promise((resolve, reject) => {
              const t = setTimeout(() => reject(new Error('no webhook delivery in time')), ms)
              waiting.push((d) => { clearTimeout(t); resolve(d) })
            }),
        close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()) })
      })
    })
  })
}

/** Resolves with the rejection of `promise` (fails if it resolves). */
async function rejection (promise) {
  try {
    await promise
  } catch (e) {
    return e
  }
  throw new Error('expected a rejection')
}

/** The thread count of this process. */
function threadCount () {
  const status = require('node:fs').readFileSync('/proc/self/status', 'utf8')
  return Number(/^Threads:\s+(\d+)/m.exec(status)[1])
}

module.exports = {
  ROOT,
  SIM_BIN,
  PRIMARY_KEY,
  SECONDARY_KEY,
  AKSEL,
  SECUROSYS,
  ONESPAN,
  startSim,
  control,
  fault,
  recorded,
  clearRecorded,
  complete,
  config,
  securosysConfig,
  onespanConfig,
  onespanAct,
  securosysLog,
  clearSecurosysLog,
  samplePdf,
  submitPage,
  eidPage,
  receiver,
  rejection,
  threadCount
}

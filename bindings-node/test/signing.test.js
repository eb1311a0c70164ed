'use strict'
// The provider-neutral signing session (`client.signing()`): one flow function run against
// ZignSec and OneSpan with only the config differing; OneSpan signers in order, decline, cancel;
// the provider choice; bad input. Signers are played through the simulator's control API.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { Client, ErrorCode } = require('..')
const h = require('./helpers')

let sim
let tmp

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-node-signing-'))
  sim = await h.startSim()
})

after(async () => {
  await sim.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
})

function assertCode (err, code) {
  assert.ok(err instanceof Error, `not an Error: ${err}`)
  assert.equal(err.code, code, `${err.code}: ${err.message}`)
  assert.equal(err.errno, ErrorCode[code])
}

/** The provider's own id inside a session reference `provider:id`. */
const rawId = (ref) => ref.slice(ref.indexOf(':') + 1)

const configs = {
  zignsec: () => h.config(sim),
  onespan: () => h.onespanConfig(sim)
}

/** How the simulator plays every signer of a started session, per provider. */
const playSigners = {
  zignsec: (started) => h.complete(sim, rawId(started.id)),
  onespan: async (started) => {
    for (const s of started.signers) await h.onespanAct(sim, rawId(started.id), s.signerId)
  }
}

/**
 * One signing flow, written once against the neutral API: start with two PDFs (bytes with a
 * field, and a path), send the signer, wait (with progress), read the outcome, download and save.
 */
async function signingFlow (client, provider) {
  const signing = client.signing()
  assert.equal(signing.provider, provider)
  const first = h.samplePdf('Contract 42', 2)
  const secondPath = path.join(tmp, `appendix-${provider}.pdf`)
  fs.writeFileSync(secondPath, h.samplePdf('Appendix'))

  const started = await signing.start({
    title: 'Contract 42',
    documents: [
      { name: 'contract.pdf', data: first, fields: [{ page: 2, left: 60, top: 600 }] },
      { path: secondPath }
    ],
    signers: [{ firstName: 'Kari', lastName: 'Nordmann', email: 'kari@example.com' }],
    locale: 'en'
  })
  assert.equal(started.provider, provider)
  assert.match(started.id, new RegExp(`^${provider}:.+`))
  assert.equal(started.signers.length, 1)
  assert.equal(started.signers[0].signerId, 'signer1')
  assert.equal(started.signers[0].name, 'Kari Nordmann')
  assert.match(started.signers[0].url, /^https?:\/\//)

  const before = await signing.status({ session: started.id })
  assert.equal(before.id, started.id)
  assert.equal(before.status, 'Pending')
  assert.deepEqual(before.signers, [{ signerId: 'signer1', signed: false }])
  assertCode(await h.rejection(signing.result({ session: started.id })), 'SB_ERR_INVALID_STATE')

  const seen = []
  const waiting = signing.wait({ session: started.id }, {
    intervalMs: 100,
    timeoutMs: 60000,
    onProgress: (state) => seen.push(state)
  })
  await playSigners[provider](started)
  const done = await waiting
  assert.equal(done.id, started.id)
  assert.equal(done.files.length, 2)
  await new Promise((resolve) => setImmediate(resolve))
  assert.ok(seen.length >= 1, 'onProgress saw the states polled')
  assert.ok(seen.every((s) => s.id === started.id && Array.isArray(s.signers)), JSON.stringify(seen))

  const after = await signing.status({ session: started.id })
  assert.equal(after.status, 'Finished')
  assert.deepEqual(after.signers, [{ signerId: 'signer1', signed: true }])
  assert.deepEqual(await signing.result({ session: started.id }), done)

  // Signed PDFs: the originals with the signature appended as an incremental update.
  const { pdf: signed } = await signing.download({ session: started.id, documentId: done.files[0].documentId })
  assert.ok(Buffer.isBuffer(signed))
  assert.ok(signed.length > first.length)
  assert.ok(signed.subarray(0, 5).equals(Buffer.from('%PDF-')))
  assert.match(signed.subarray(-8).toString('latin1'), /%%EOF\s*$/)

  const dir = path.join(tmp, `signed-${provider}`)
  const { paths } = await signing.saveAll({ session: done.id, dir })
  assert.equal(paths.length, 2)
  for (const p of paths) assert.ok(p.startsWith(dir) && p.endsWith('.pdf'), p)
  assert.deepEqual(fs.readFileSync(paths[0]), signed)
  assert.deepEqual(fs.readdirSync(dir).sort(), paths.map((p) => path.basename(p)).sort(), 'only the files, no temporaries')
  return { started, done }
}

test('the same flow signs with ZignSec and with OneSpan, only the config differing', async () => {
  for (const provider of ['zignsec', 'onespan']) {
    await signingFlow(new Client(configs[provider]()), provider)
  }
})

test('the session reference is all a later call needs, from any client with that provider', async () => {
  const onespanOnly = new Client(configs.onespan()).signing()
  const started = await onespanOnly.start({
    documents: [{ name: 'a.pdf', data: h.samplePdf('A') }],
    signers: [{ firstName: 'Ann', lastName: 'Smith', email: 'ann@example.com' }]
  })
  // Another client, configured with both providers and choosing ZignSec, finds it by reference.
  const both = new Client({ ...configs.zignsec(), ...configs.onespan(), signing: { provider: 'zignsec' } }).signing()
  assert.equal(both.provider, 'zignsec')
  assert.equal((await both.status({ session: started.id })).status, 'Pending')
  // A request's own provider wins over the facade's.
  const other = await both.start({
    documents: [{ name: 'b.pdf', data: h.samplePdf('B') }],
    signers: [{ firstName: 'Ann', lastName: 'Smith', email: 'ann@example.com' }],
    provider: 'onespan'
  })
  assert.equal(other.provider, 'onespan')
  assert.equal((await both.status({ session: other.id })).status, 'Pending')
  // A client without OneSpan cannot.
  const e = await h.rejection(new Client(configs.zignsec()).signing().status({ session: started.id }))
  assertCode(e, 'SB_ERR_AUTH_CONFIG_MISSING')
  assert.match(e.message, /OneSpan/)
})

test('choosing the provider: config, signingWith, and the errors when the choice is unclear', () => {
  const thrown = (fn) => { try { fn() } catch (e) { return e } throw new Error('expected a throw') }
  const both = { ...configs.zignsec(), ...configs.onespan() }
  let e = thrown(() => new Client(both).signing())
  assertCode(e, 'SB_ERR_INVALID_CONFIG')
  assert.match(e.message, /signing/)
  assert.equal(new Client({ ...both, signing: { provider: 'onespan' } }).signing().provider, 'onespan')
  assert.equal(new Client(both).signingWith('zignsec').provider, 'zignsec')
  assert.equal(new Client(both).signingWith('onespan').provider, 'onespan')
  e = thrown(() => new Client(configs.zignsec()).signingWith('onespan'))
  assertCode(e, 'SB_ERR_AUTH_CONFIG_MISSING')
  e = thrown(() => new Client(both).signingWith('docusign'))
  assertCode(e, 'SB_ERR_INVALID_ARGUMENT')
  assert.ok(!(e instanceof TypeError))
  e = thrown(() => new Client(both).signingWith(1))
  assert.ok(e instanceof TypeError)
  e = thrown(() => new Client({ ...both, signing: { provider: 'docusign' } }))
  assertCode(e, 'SB_ERR_INVALID_CONFIG')
  e = thrown(() => new Client(h.securosysConfig(sim)).signing())
  assertCode(e, 'SB_ERR_AUTH_CONFIG_MISSING')
})

test('OneSpan: two signers sign in order, each with their own link', async () => {
  const signing = new Client(configs.onespan()).signing()
  const started = await signing.start({
    title: 'Sale of a boat',
    documents: [{
      name: 'sale.pdf',
      data: h.samplePdf('Sale'),
      fields: [{ signer: 'seller', page: 1, left: 60, top: 500 }, { signer: 1, page: 1, left: 300, top: 500 }]
    }],
    signers: [
      { id: 'seller', firstName: 'Ola', lastName: 'Hansen', email: 'ola@example.com' },
      { id: 'buyer', firstName: 'Kari', lastName: 'Nordmann', email: 'kari@example.com' }
    ],
    onespan: { description: 'boat', emailMessage: 'Please sign' }
  })
  assert.deepEqual(started.signers.map((s) => s.signerId), ['seller', 'buyer'])
  assert.notEqual(started.signers[0].url, started.signers[1].url)
  const id = rawId(started.id)

  // The buyer's turn has not come.
  await assert.rejects(h.onespanAct(sim, id, 'buyer'), /400/)
  await h.onespanAct(sim, id, 'seller')
  let state = await signing.status({ session: started.id })
  assert.equal(state.status, 'Pending')
  assert.deepEqual(state.signers, [{ signerId: 'seller', signed: true }, { signerId: 'buyer', signed: false }])
  await h.onespanAct(sim, id, 'buyer')
  const done = await signing.wait({ session: started.id }, { intervalMs: 100, timeoutMs: 30000 })
  assert.equal(done.files.length, 1)
  state = await signing.status({ session: started.id })
  assert.deepEqual(state.signers.map((s) => s.signed), [true, true])
})

test('OneSpan: a decline rejects with SB_ERR_REJECTED and the reason; cancel moves it to the trash', async () => {
  const signing = new Client(configs.onespan()).signing()
  const session = {
    documents: [{ name: 'offer.pdf', data: h.samplePdf('Offer') }],
    signers: [{ firstName: 'Ann', lastName: 'Smith', email: 'ann@example.com' }]
  }
  const declined = await signing.start(session)
  const waiting = h.rejection(signing.wait({ session: declined.id }, { intervalMs: 100, timeoutMs: 30000 }))
  await h.onespanAct(sim, rawId(declined.id), 'signer1', 'decline', 'the price is wrong')
  const e = await waiting
  assertCode(e, 'SB_ERR_REJECTED')
  assert.equal(e.providerCode, 'DECLINED')
  assert.equal(e.providerDescription, 'the price is wrong')
  assert.match(e.message, /the price is wrong/)
  assertCode(await h.rejection(signing.result({ session: declined.id })), 'SB_ERR_REJECTED')
  assert.equal((await signing.status({ session: declined.id })).status, 'Rejected')

  const cancelled = await signing.start(session)
  await signing.cancel({ session: cancelled.id })
  const c = await h.rejection(signing.wait({ session: cancelled.id }, { intervalMs: 100, timeoutMs: 30000 }))
  assertCode(c, 'SB_ERR_CANCELLED')
  assert.equal(c.providerCode, 'TRASHED')

  // ZignSec has no cancel call.
  const zs = new Client(configs.zignsec()).signing()
  const z = await zs.start(session)
  assertCode(await h.rejection(zs.cancel({ session: z.id })), 'SB_ERR_INVALID_ARGUMENT')
})

test('waits are abortable and bounded, for every provider', async () => {
  for (const provider of ['zignsec', 'onespan']) {
    const signing = new Client(configs[provider]()).signing()
    const started = await signing.start({
      documents: [{ name: 'a.pdf', data: h.samplePdf('A') }],
      signers: [{ firstName: 'Ann', lastName: 'Smith', email: 'ann@example.com' }]
    })
    const controller = new AbortController()
    const waiting = signing.wait({ session: started.id }, { intervalMs: 100, signal: controller.signal })
    controller.abort()
    assertCode(await h.rejection(waiting), 'SB_ERR_ABORTED')
    assertCode(await h.rejection(signing.wait({ session: started.id }, { intervalMs: 50, timeoutMs: 150 })), 'SB_ERR_TIMEOUT')
  }
})

test('bad sessions are refused locally with their codes, nothing sent', async () => {
  for (const provider of ['zignsec', 'onespan']) {
    const signing = new Client(configs[provider]()).signing()
    await h.clearRecorded(sim)
    const signer = { firstName: 'Ann', lastName: 'Smith', email: 'ann@example.com' }
    for (const [p, code, re] of [
      [() => signing.start({ documents: [], signers: [signer] }), 'SB_ERR_INVALID_ARGUMENT', /document/],
      [() => signing.start({ documents: [{ name: 'a.pdf', data: h.samplePdf('A') }], signers: [] }), 'SB_ERR_INVALID_ARGUMENT', /signer/],
      [() => signing.start({ documents: [{ name: 'a.pdf', data: Buffer.from('not a pdf') }], signers: [signer] }), 'SB_ERR_INVALID_DOCUMENT', /a\.pdf/],
      [() => signing.start({ documents: [{ path: path.join(tmp, 'missing.pdf') }], signers: [signer] }), 'SB_ERR_IO', /missing\.pdf/],
      [() => signing.start({ documents: [{ name: 'a.pdf', data: h.samplePdf('A'), fields: [{ signer: 3, page: 1, left: 1, top: 1 }] }], signers: [signer] }), 'SB_ERR_INVALID_ARGUMENT', /signer/],
      [() => signing.status({ session: 'nope' }), 'SB_ERR_INVALID_ARGUMENT', /provider prefix/],
      [() => signing.status({ session: 'docusign:abc' }), 'SB_ERR_INVALID_ARGUMENT', /unknown provider/],
      [() => signing.download({ session: `${provider}:abc`, documentId: '' }), 'SB_ERR_INVALID_ARGUMENT', /document_id/],
      [() => signing.saveAll({ session: 'bad', dir: tmp }), 'SB_ERR_INVALID_ARGUMENT', /provider prefix/]
    ]) {
      const e = await h.rejection(p())
      assertCode(e, code)
      assert.ok(!(e instanceof TypeError))
      assert.match(e.message, re)
    }
    const sent = (await h.recorded(sim)).filter((r) => !r.path.startsWith('/_sim/'))
    assert.deepEqual(sent, [], `${provider}: nothing may be sent`)
  }
  // ZignSec signs with one signer only.
  const two = [{ firstName: 'A', lastName: 'B', email: 'a@example.com' }, { firstName: 'C', lastName: 'D', email: 'c@example.com' }]
  const e = await h.rejection(new Client(configs.zignsec()).signing().start({ documents: [{ name: 'a.pdf', data: h.samplePdf('A') }], signers: two }))
  assertCode(e, 'SB_ERR_INVALID_ARGUMENT')
  // OneSpan needs the signer's e-mail.
  const noMail = await h.rejection(new Client(configs.onespan()).signing().start({ documents: [{ name: 'a.pdf', data: h.samplePdf('A') }], signers: [{ firstName: 'A', lastName: 'B' }] }))
  assertCode(noMail, 'SB_ERR_INVALID_ARGUMENT')
  assert.match(noMail.message, /email/)
})

test('requests of the wrong shape reject with SB_ERR_INVALID_ARGUMENT naming the field', async () => {
  const signing = new Client(configs.onespan()).signing()
  const zignsec = new Client(configs.zignsec()).signing()
  const doc = { name: 'a.pdf', data: h.samplePdf('A') }
  const signer = { firstName: 'A', lastName: 'B', email: 'a@example.com' }
  await h.clearRecorded(sim)
  const cases = [
    [() => signing.start(), /the session has no documents/],
    [() => signing.start({ documents: [doc] }), /the session has no signers/],
    [() => signing.start({ signers: [signer] }), /the session has no documents/],
    [() => signing.start({ documents: [doc], signers: [signer], titel: 'x' }), /request\.titel: unknown field `titel`, expected one of `title`/],
    [() => signing.start({ documents: [{ name: 'a.pdf' }], signers: [signer] }), /request\.documents\[0\]: .*needs exactly one of path and data_base64/],
    [() => signing.start({ documents: [{ data: 'text' }], signers: [signer] }), /request\.documents\[0\]\.data: unknown field `data`/],
    [() => signing.start({ documents: [{ ...doc, fields: [{ page: 1, left: 'x', top: 0 }] }], signers: [signer] }), /request\.documents\[0\]\.fields\[0\]\.left: .*expected f64/],
    [() => signing.start({ documents: [{ ...doc, fields: [{ page: 1.5, left: 0, top: 0 }] }], signers: [signer] }), /request\.documents\[0\]\.fields\[0\]\.page: .*expected u32/],
    [() => signing.start({ documents: [{ ...doc, fields: [{ signer: true, page: 1, left: 0, top: 0 }] }], signers: [signer] }), /request\.documents\[0\]\.fields\[0\]\.signer: a signer index \(number\) or id \(string\)/],
    [() => signing.start({ documents: [doc], signers: [{ firstNme: 'A' }] }), /request\.signers\[0\]\.firstNme: unknown field `firstNme`/],
    [() => zignsec.start({ documents: [doc], signers: [signer], zignsec: { metadata: [] } }), /metadata must be a JSON object/],
    [() => signing.start({ documents: [doc], signers: [signer], onespan: { due: 5 } }), /request\.onespan\.due: .*expected a string/],
    [() => signing.status({ session: 42 }), /request\.session: .*expected a string/],
    [() => signing.wait({ session: 'onespan:x' }, { onProgress: 'log' }), /options\.onProgress must be a function, got a string/],
    [() => signing.download({ session: 'onespan:x', documentId: 7 }), /request\.documentId: .*expected a string/],
    [() => signing.saveAll('onespan:x'), /request must be an object, got a string/],
    [() => signing.saveAll({ session: 'onespan:x', files: [{ id: 'd' }] }), /request\.files: unknown field `files`/],
    [() => signing.saveAll({ session: 'onespan:x', dir: 3 }), /request\.dir: .*expected a string/]
  ]
  for (const [call, re] of cases) {
    let e
    try { e = await h.rejection(call()) } catch (thrown) { e = thrown }
    assert.ok(e instanceof Error, `${call}: ${e}`)
    assert.match(e.message, re, `${call}`)
    assertCode(e, 'SB_ERR_INVALID_ARGUMENT')
  }
  const sent = (await h.recorded(sim)).filter((r) => !r.path.startsWith('/_sim/'))
  assert.deepEqual(sent, [], 'nothing may be sent')
})

test("the Node guide's switch-provider example runs as written with either provider", async () => {
  const { spawn } = require('node:child_process')
  const node = fs.readFileSync(path.join(h.ROOT, 'docs', 'getting-started', 'node.md'), 'utf8')
  const m = /```js\n(\/\/ sign-anywhere\.mjs\n[\s\S]*?)```/.exec(node)
  assert.ok(m, 'docs/getting-started/node.md has the sign-anywhere.mjs example')
  assert.ok(m[1].includes("'http://127.0.0.1:8089'"))
  const dir = fs.mkdtempSync(path.join(tmp, 'readme-'))
  fs.mkdirSync(path.join(dir, 'node_modules'))
  fs.symlinkSync(path.join(__dirname, '..'), path.join(dir, 'node_modules', 'signbridge'), 'dir')
  fs.copyFileSync(path.join(__dirname, '..', 'examples', 'contract.pdf'), path.join(dir, 'contract.pdf'))
  fs.writeFileSync(path.join(dir, 'sign-anywhere.mjs'), m[1].replaceAll("'http://127.0.0.1:8089'", JSON.stringify(sim.url)))
  for (const provider of ['zignsec', 'onespan']) {
    const out = path.join(dir, 'signed')
    fs.rmSync(out, { recursive: true, force: true })
    const proc = spawn(process.execPath, ['sign-anywhere.mjs'], {
      cwd: dir,
      env: { ...process.env, PROVIDER: provider },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let text = ''
    proc.stdout.on('data', (d) => { text += d })
    proc.stderr.on('data', (d) => { text += d })
    const code = await new Promise((resolve) => proc.once('exit', resolve))
    assert.equal(code, 0, text)
    assert.match(text, new RegExp(`session ${provider}:`))
    assert.match(text, /Kari Nordmann signs at http/)
    assert.match(text, /saved \[/)
    const files = fs.readdirSync(out)
    assert.equal(files.length, 1, files.join())
    assert.ok(fs.readFileSync(path.join(out, files[0])).subarray(0, 5).equals(Buffer.from('%PDF-')))
  }
})

test("the README's Node example (sign.mjs) runs as written, and the Node guide shows it too", async () => {
  const { spawn } = require('node:child_process')
  const readme = fs.readFileSync(path.join(h.ROOT, 'README.md'), 'utf8')
  const m = /```js\n(\/\/ sign\.mjs[^\n]*\n[\s\S]*?)```/.exec(readme)
  assert.ok(m, 'README.md has the sign.mjs example')
  assert.ok(m[1].includes("'http://127.0.0.1:8089'"))
  const dir = fs.mkdtempSync(path.join(tmp, 'readme-'))
  fs.mkdirSync(path.join(dir, 'node_modules'))
  fs.symlinkSync(path.join(__dirname, '..'), path.join(dir, 'node_modules', 'signbridge'), 'dir')
  fs.copyFileSync(path.join(__dirname, '..', 'examples', 'contract.pdf'), path.join(dir, 'contract.pdf'))
  fs.writeFileSync(path.join(dir, 'sign.mjs'), m[1].replaceAll("'http://127.0.0.1:8089'", JSON.stringify(sim.url)))
  const proc = spawn(process.execPath, ['sign.mjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  proc.stdout.on('data', (d) => { text += d })
  proc.stderr.on('data', (d) => { text += d })
  const code = await new Promise((resolve) => proc.once('exit', resolve))
  assert.equal(code, 0, text)
  assert.match(text, /send the signer to http/)
  assert.match(text, /Finished by Aksel Herseth/)
  const files = fs.readdirSync(path.join(dir, 'signed'))
  assert.deepEqual(files, ['contract.pdf'])
  const guide = fs.readFileSync(path.join(h.ROOT, 'docs', 'getting-started', 'node.md'), 'utf8')
  assert.ok(guide.includes(m[1]), 'docs/getting-started/node.md shows the same sign.mjs as README.md')
})

'use strict'
// OneSpan Sign through the Node addon (`client.onespan()`, the facade generated from the
// operation table), against the simulator: transactions, signers in order, downloads (signed,
// original, ZIP, evidence) checked for what they are, audit, listing page by page and with
// `for await`, trash/restore/delete, drafts, callbacks verified with the right and a wrong key,
// and each authentication method (API key, Client App, OAuth2).

const { test, before, after, afterEach } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')
const zlib = require('node:zlib')

const { Client, OnespanCallbackVerifier, ErrorCode } = require('..')
const h = require('./helpers')

let sim
let onespan
let tmp

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-node-onespan-'))
  sim = await h.startSim()
  onespan = new Client(h.onespanConfig(sim)).onespan()
})

afterEach(async () => {
  await h.control(sim, 'PUT', '/_sim/onespan/auth', { method: 'api_key' })
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

const isPdf = (b) => b.subarray(0, 5).equals(Buffer.from('%PDF-')) && /%%EOF\s*$/.test(b.subarray(-16).toString('latin1'))

/** The entries of a ZIP archive, each CRC-checked: [{ name, data }]. Stored or deflated entries. */
function unzip (zip) {
  const entries = []
  let at = 0
  while (zip.readUInt32LE(at) === 0x04034b50) {
    const method = zip.readUInt16LE(at + 8)
    const crc = zip.readUInt32LE(at + 14)
    const size = zip.readUInt32LE(at + 18)
    const nameLen = zip.readUInt16LE(at + 26)
    const extraLen = zip.readUInt16LE(at + 28)
    const name = zip.subarray(at + 30, at + 30 + nameLen).toString('utf8')
    const start = at + 30 + nameLen + extraLen
    const raw = zip.subarray(start, start + size)
    const data = method === 8 ? zlib.inflateRawSync(raw) : raw
    assert.ok(method === 0 || method === 8, `entry ${name}: method ${method}`)
    assert.equal(zlib.crc32(data), crc, `CRC of ${name}`)
    entries.push({ name, data })
    at = start + size
  }
  assert.equal(zip.readUInt32LE(at), 0x02014b50, 'the central directory follows the entries')
  return entries
}

let unique = 0
const name = (what) => `node-${what}-${process.pid}-${++unique}`

/** A sent transaction with `signers` (role ids) each signing the one document, in order. */
async function sentPackage (client, roles = ['buyer'], extra = {}) {
  const data = h.samplePdf('Purchase agreement', 2)
  const id = await client.createPackage({
    name: name('pkg'),
    signers: roles.map((r, i) => ({ roleId: r, email: `${r}@example.com`, firstName: r, lastName: `Signer${i}` })),
    documents: [{ name: 'agreement', content: data, id: 'agreement', fields: roles.map((r, i) => ({ roleId: r, page: 0, top: 100 + 70 * i, left: 60 })) }],
    send: true,
    ...extra
  })
  return { id, data }
}

test('a transaction: two signers in order, wait, signed and original documents, ZIP, evidence, audit', async () => {
  const { id, data } = await sentPackage(onespan, ['seller', 'buyer'], { description: 'two signers', emailMessage: 'Please sign' })
  assert.equal(typeof id, 'string')
  const pkg = await onespan.getPackage({ packageId: id })
  assert.equal(pkg.id, id)
  assert.equal(pkg.status, 'SENT')
  assert.equal(pkg.description, 'two signers')
  assert.deepEqual(pkg.roles.map((r) => r.id), ['seller', 'buyer'])
  assert.equal(pkg.roles[0].signers[0].email, 'seller@example.com')
  assert.equal(pkg.documents.find((d) => d.id === 'agreement').name, 'agreement')
  assert.equal(await onespan.status({ packageId: id }), 'SENT')

  const urls = await Promise.all(['seller', 'buyer'].map((r) => onespan.signingUrl({ packageId: id, roleId: r })))
  assert.ok(urls.every((u) => u.startsWith(sim.url)), urls.join())
  assert.notEqual(urls[0], urls[1])
  assert.equal(await onespan.signingStatus({ packageId: id, signerId: 'seller' }), 'SIGNING_PENDING')

  const progress = []
  const waiting = onespan.wait({ packageId: id, intervalMs: 100, timeoutMs: 60000 }, { onProgress: (p) => progress.push(p.status) })
  await assert.rejects(h.onespanAct(sim, id, 'buyer'), /400/, 'not the buyer\'s turn yet')
  await h.onespanAct(sim, id, 'seller')
  assert.equal(await onespan.signingStatus({ packageId: id, signerId: 'seller' }), 'SIGNING_COMPLETED')
  assert.equal(await onespan.signingStatus({ packageId: id }), 'SIGNING_PENDING')
  await h.onespanAct(sim, id, 'buyer')
  const done = await waiting
  assert.equal(done.status, 'COMPLETED')
  assert.ok(done.documents.find((d) => d.id === 'agreement').approvals.every((a) => a.signed))
  await new Promise((resolve) => setImmediate(resolve))
  assert.ok(progress.includes('SENT'), progress.join())

  const signed = await onespan.download({ packageId: id, kind: 'document', documentId: 'agreement' })
  assert.ok(Buffer.isBuffer(signed.content))
  assert.ok(!('contentBase64' in signed))
  assert.ok(isPdf(signed.content))
  assert.ok(signed.content.length > data.length && signed.content.subarray(0, data.length).equals(data), 'an incremental update of the original')
  assert.equal(signed.fileName, 'agreement.pdf')
  assert.equal(signed.bytes, signed.content.length)
  const original = await onespan.download({ packageId: id, kind: 'original', documentId: 'agreement' })
  assert.deepEqual(original.content, data)

  const zip = await onespan.download({ packageId: id, kind: 'zip' })
  assert.match(zip.fileName, /\.zip$/)
  const entries = unzip(zip.content)
  assert.deepEqual(entries.map((e) => e.name), ['agreement.pdf'])
  assert.deepEqual(entries[0].data, signed.content)

  const evidence = await onespan.download({ packageId: id, kind: 'evidence_summary' })
  assert.ok(isPdf(evidence.content))
  assert.equal(evidence.fileName, 'evidence-summary.pdf')
  for (const text of [pkg.name, 'seller@example.com', 'buyer@example.com']) {
    assert.ok(evidence.content.includes(text), `the evidence summary names ${text}`)
  }

  const file = path.join(tmp, 'agreement-signed.pdf')
  const written = await onespan.download({ packageId: id, kind: 'document', documentId: 'agreement', path: file })
  assert.equal(written.bytes, signed.content.length)
  assert.equal(written.path, file)
  assert.equal(written.content, undefined)
  assert.deepEqual(fs.readFileSync(file), signed.content)
  const into = await onespan.download({ packageId: id, kind: 'zip', dir: path.join(tmp, 'zips') })
  assert.equal(path.dirname(into.path), path.join(tmp, 'zips'))
  assert.equal(path.basename(into.path), into.fileName)
  assert.deepEqual(fs.readFileSync(into.path), zip.content)

  const audit = await onespan.audit({ packageId: id })
  const types = audit.events.map((e) => e.kind)
  for (const t of ['Create', 'Send', 'Sign', 'Complete']) assert.ok(types.includes(t), types.join())
  const sign = audit.events.find((e) => e.kind === 'Sign')
  assert.ok('userEmail' in sign && 'dateTime' in sign && 'userIp' in sign)
})

test('decline: wait rejects with SB_ERR_REJECTED and the signer\'s reason', async () => {
  const { id } = await sentPackage(onespan)
  const waiting = h.rejection(onespan.wait({ packageId: id, intervalMs: 100, timeoutMs: 30000 }))
  await h.onespanAct(sim, id, 'buyer', 'decline', 'wrong delivery date')
  const e = await waiting
  assertCode(e, 'SB_ERR_REJECTED')
  assert.equal(e.providerCode, 'DECLINED')
  assert.equal(e.providerDescription, 'wrong delivery date')
  assert.equal(await onespan.status({ packageId: id }), 'DECLINED')
  const reason = (await onespan.audit({ packageId: id })).events.find((x) => x.kind === 'Decline')
  assert.equal(reason.data, 'wrong delivery date')
})

test('trash, restore, archive and delete', async () => {
  const { id } = await sentPackage(onespan)
  const packageId = id
  assert.equal(await onespan.trash({ packageId }), undefined)
  const e = await h.rejection(onespan.wait({ packageId, intervalMs: 100, timeoutMs: 30000 }))
  assertCode(e, 'SB_ERR_CANCELLED')
  assert.equal((await onespan.getPackage({ packageId })).trashed, true)
  await onespan.restore({ packageId })
  assert.equal((await onespan.getPackage({ packageId })).trashed, false)
  await h.onespanAct(sim, id, 'buyer')
  assert.equal((await onespan.wait({ packageId, intervalMs: 100, timeoutMs: 30000 })).status, 'COMPLETED')
  await onespan.archive({ packageId })
  assert.equal(await onespan.status({ packageId }), 'ARCHIVED')
  await onespan.delete({ packageId })
  assertCode(await h.rejection(onespan.getPackage({ packageId })), 'SB_ERR_NOT_FOUND')
})

test('a draft: created in steps, updated, a document added, then sent; changes after sending are refused', async () => {
  const file = path.join(tmp, 'annex.pdf')
  fs.writeFileSync(file, h.samplePdf('Annex'))
  const id = await onespan.createPackageInSteps({
    name: name('draft'),
    signers: [{ roleId: 'signer', email: 'sig@example.com', firstName: 'Sig', lastName: 'Ner', company: 'Example AS' }],
    documents: [{ path: file, fields: [{ roleId: 'signer', page: 0, top: 100, left: 60, kind: 'INITIALS' }] }]
  })
  const packageId = id
  assert.equal(await onespan.status({ packageId }), 'DRAFT')
  assertCode(await h.rejection(onespan.signingUrl({ packageId, roleId: 'signer' })), 'SB_ERR_INVALID_STATE')
  assertCode(await h.rejection(onespan.wait({ packageId, intervalMs: 100 })), 'SB_ERR_INVALID_STATE')
  await onespan.updatePackage({ packageId, name: 'renamed draft', description: 'now with a description' })
  const doc = await onespan.addDocument({ packageId, document: { name: 'extra', content: h.samplePdf('Extra'), fields: [{ roleId: 'signer', page: 0, top: 300, left: 60 }] } })
  assert.equal(doc.name, 'extra')
  let pkg = await onespan.getPackage({ packageId })
  assert.equal(pkg.name, 'renamed draft')
  assert.equal(pkg.description, 'now with a description')
  assert.deepEqual(pkg.documents.map((d) => d.name).sort(), ['annex', 'extra'])
  assert.equal(pkg.documents.find((d) => d.name === 'annex').approvals[0].fields[0].subtype, 'INITIALS')
  await onespan.send({ packageId })
  pkg = await onespan.getPackage({ packageId })
  assert.equal(pkg.status, 'SENT')
  assertCode(await h.rejection(onespan.updatePackage({ packageId, name: 'too late' })), 'SB_ERR_INVALID_STATE')
})

test('listing: one page with list, for await walks every page (packages) or each page (pages), listAll in one call', async () => {
  const token = `list-${process.pid}-${Date.now()}`
  const ids = []
  for (let i = 0; i < 5; i++) {
    ids.push(await onespan.createPackage({
      name: `${token}-${i}`,
      signers: [{ roleId: 'r', email: 'r@example.com', firstName: 'R', lastName: 'S' }],
      documents: [{ name: 'd', content: h.samplePdf(`D${i}`) }]
    }))
  }
  const seen = []
  for await (const pkg of onespan.packages({ search: token, pageSize: 2 })) seen.push(pkg.id)
  assert.deepEqual(seen.slice().sort(), ids.slice().sort())

  const query = { search: token, pageSize: 2, status: 'DRAFT', sort: 'name', sortOrder: 'asc' }
  const first = await onespan.list(query)
  assert.equal(first.total, 5, 'the total is known after the first page')
  assert.equal(first.packages.length, 2)
  assert.equal(first.nextFrom, 3)
  const pager = onespan.pages(query)
  const sizes = []
  const names = []
  for await (const page of pager) {
    sizes.push(page.packages.length)
    names.push(...page.packages.map((p) => p.name))
    assert.equal(page.total, 5)
  }
  assert.deepEqual(sizes, [2, 2, 1])
  assert.deepEqual(names, [0, 1, 2, 3, 4].map((i) => `${token}-${i}`))
  assert.deepEqual(await pager.next(), { done: true, value: undefined }, 'a finished listing stays finished')
  const last = await onespan.list({ ...query, from: 5 })
  assert.deepEqual(last.packages.map((p) => p.name), [`${token}-4`])
  assert.equal(last.nextFrom, null)
  const all = await onespan.listAll(query)
  assert.deepEqual(all.packages.map((p) => p.name), names)
  assert.equal(all.total, 5)

  // Early exit from the loop is fine; two pages asked for at once come one after the other.
  for await (const pkg of onespan.packages({ search: token, pageSize: 1 })) { assert.ok(pkg.id); break }
  const busy = onespan.pages({ search: token, pageSize: 1 })
  const [a, b] = await Promise.all([busy.next(), busy.next()])
  assert.equal(a.value.packages.length, 1)
  assert.equal(b.value.packages.length, 1)
  assert.notEqual(a.value.packages[0].id, b.value.packages[0].id)
  assert.equal((await busy.next()).value.packages.length, 1, 'the listing goes on')

  // A query the core refuses rejects the iteration.
  const bad = await h.rejection((async () => { for await (const p of onespan.packages({ pageSize: 500 })) assert.fail(p) })())
  assertCode(bad, 'SB_ERR_INVALID_ARGUMENT')
  assert.match(bad.message, /page_size 500/)
  assertCode(await h.rejection(onespan.pages({ sortOrder: 'sideways', sort: 'name' }).next()), 'SB_ERR_INVALID_ARGUMENT')
  assertCode(await h.rejection(onespan.list({ from: 0 })), 'SB_ERR_INVALID_ARGUMENT')
  assertCode(await h.rejection(onespan.listAll({ from: 2 })), 'SB_ERR_INVALID_ARGUMENT')
})

test('callbacks: registered, delivered by the simulator, verified with the right key, refused with a wrong one', async () => {
  const receiver = await h.receiver()
  const key = `cb-key-${process.pid}-secret`
  try {
    assert.equal(await onespan.registerCallback({ url: receiver.url, key, events: ['PACKAGE_COMPLETE', 'PACKAGE_DECLINE'] }), undefined)
    const registered = await onespan.getCallback()
    assert.equal(registered.url, receiver.url)
    assert.deepEqual(registered.events.slice().sort(), ['PACKAGE_COMPLETE', 'PACKAGE_DECLINE'])
    assert.equal(typeof registered.hasKey, 'boolean')
    assert.ok(!JSON.stringify(registered).includes(key))

    const { id } = await sentPackage(onespan)
    await h.onespanAct(sim, id, 'buyer')
    const delivery = await receiver.next()
    const authorization = delivery.headers.authorization

    const verifier = new OnespanCallbackVerifier(key)
    const event = verifier.verify(authorization, delivery.body)
    assert.equal(event.name, 'PACKAGE_COMPLETE')
    assert.equal(event.packageId, id)
    assert.equal(event.raw.packageId, id)
    assert.ok(event.createdDate)
    // Strings work too, and a rotation accepts the old and the new key.
    assert.equal(new OnespanCallbackVerifier(['new-key', key]).verify(authorization, delivery.body.toString()).name, 'PACKAGE_COMPLETE')

    for (const [v, header, body, code] of [
      [new OnespanCallbackVerifier('wrong-key'), authorization, delivery.body, 'SB_ERR_WEBHOOK_INVALID'],
      [verifier, undefined, delivery.body, 'SB_ERR_WEBHOOK_INVALID'],
      [verifier, `Bearer ${key}`, delivery.body, 'SB_ERR_WEBHOOK_INVALID'],
      [verifier, authorization, Buffer.from('not json'), 'SB_ERR_PROTOCOL'],
      [verifier, authorization, '{"packageId":"x"}', 'SB_ERR_PROTOCOL']
    ]) {
      let e
      try { v.verify(header, body) } catch (x) { e = x }
      assertCode(e, code)
      assert.ok(!e.message.includes(key), e.message)
    }
    assert.ok(!util.inspect(verifier).includes(key))

    // A decline is delivered with its reason.
    const declined = await sentPackage(onespan)
    await h.onespanAct(sim, declined.id, 'buyer', 'decline', 'not today')
    const d = await receiver.next()
    const e = verifier.verify(d.headers.authorization, d.body)
    assert.equal(e.name, 'PACKAGE_DECLINE')
    assert.equal(e.message, 'not today')
  } finally {
    await receiver.close()
  }
  assertCode(await h.rejection(onespan.registerCallback({ url: 'not a url', key: 'k', events: ['PACKAGE_COMPLETE'] })), 'SB_ERR_INVALID_ARGUMENT')
  assertCode(await h.rejection(onespan.registerCallback({ url: 'http://127.0.0.1:9/x', key: 'k', events: [] })), 'SB_ERR_INVALID_ARGUMENT')
})

/** A OneSpan client of the simulator authenticating with `auth` works end to end. */
async function works (auth) {
  const client = new Client(h.onespanConfig(sim, auth)).onespan()
  const { id } = await sentPackage(client)
  assert.equal((await client.getPackage({ packageId: id })).status, 'SENT')
  return client
}

test('authentication: API key, Client App (owner and sender) and OAuth2, each refused when wrong', async () => {
  const wrongKey = 'd3JvbmdLZXk6d3JvbmdTZWNyZXQ='
  const apiKey = await works({ api_key: h.ONESPAN.apiKey })
  assert.equal(apiKey.authMethod, 'api_key')
  let e = await h.rejection(new Client(h.onespanConfig(sim, { api_key: wrongKey })).onespan().getPackage({ packageId: 'abc' }))
  assertCode(e, 'SB_ERR_AUTH')
  assert.ok(!e.message.includes(wrongKey))

  await h.control(sim, 'PUT', '/_sim/onespan/auth', { method: 'client_app' })
  // The API key is refused once the account uses Client App tokens.
  assertCode(await h.rejection(apiKey.getPackage({ packageId: 'abc' })), 'SB_ERR_AUTH')
  const before = (await h.control(sim, 'GET', '/_sim/onespan/auth')).client_app_tokens_issued
  const app = await works({ client_app: { client_id: h.ONESPAN.clientAppId, secret: h.ONESPAN.clientAppSecret } })
  assert.equal(app.authMethod, 'client_app')
  await app.status({ packageId: (await sentPackage(app)).id })
  assert.equal((await h.control(sim, 'GET', '/_sim/onespan/auth')).client_app_tokens_issued, before + 1, 'one token for many calls')
  const file = path.join(tmp, 'app-secret')
  fs.writeFileSync(file, `${h.ONESPAN.clientAppSecret}\n`)
  await works({ client_app: { client_id: h.ONESPAN.clientAppId, secret: { file }, type: 'sender', email: h.ONESPAN.senderEmail } })
  const wrongSecret = 'not-the-app-secret-0002'
  e = await h.rejection(new Client(h.onespanConfig(sim, { client_app: { client_id: h.ONESPAN.clientAppId, secret: wrongSecret } })).onespan().getPackage({ packageId: 'abc' }))
  assertCode(e, 'SB_ERR_AUTH')
  assert.ok(!e.message.includes(wrongSecret) && !JSON.stringify(e).includes(wrongSecret), e.message)

  await h.control(sim, 'PUT', '/_sim/onespan/auth', { method: 'oauth2' })
  const oauth = await works({ oauth2: { client_id: h.ONESPAN.oauthClientId, client_secret: h.ONESPAN.oauthClientSecret } })
  assert.equal(oauth.authMethod, 'oauth2')
  await works({ oauth2: { client_id: h.ONESPAN.oauthClientId, client_secret: h.ONESPAN.oauthClientSecret, sender_id: h.ONESPAN.senderId } })
  const wrongOauth = 'not-the-oauth-secret-0002'
  e = await h.rejection(new Client(h.onespanConfig(sim, { oauth2: { client_id: h.ONESPAN.oauthClientId, client_secret: wrongOauth } })).onespan().getPackage({ packageId: 'abc' }))
  assertCode(e, 'SB_ERR_AUTH')
  assert.equal(e.providerCode, 'invalid_client')
  assert.ok(!e.message.includes(wrongOauth) && !util.inspect(e).includes(wrongOauth))

  // Tokens revoked by the provider are replaced and the call repeated once.
  await h.control(sim, 'POST', '/_sim/onespan/auth/revoke_tokens')
  assert.equal((await oauth.getPackage({ packageId: (await sentPackage(oauth)).id })).status, 'SENT')
})

test('configuration errors: no credential, two credentials, a missing secret file', () => {
  const thrown = (fn) => { try { fn() } catch (e) { return e } throw new Error('expected a throw') }
  let e = thrown(() => new Client({ onespan: { base_url: sim.url } }))
  assertCode(e, 'SB_ERR_AUTH_CONFIG_MISSING')
  assert.match(e.message, /onespan\.apiKey/)
  assert.match(e.message, /oauth2 {clientId, clientSecret}/)
  e = thrown(() => new Client({ onespan: { base_url: sim.url, api_key: 'k', oauth2: { client_id: 'c', client_secret: 's3cr3t-value' } } }))
  assertCode(e, 'SB_ERR_INVALID_CONFIG')
  assert.ok(!e.message.includes('s3cr3t-value'))
  e = thrown(() => new Client({ onespan: { base_url: sim.url, client_app: { client_id: 'c', secret: { file: path.join(tmp, 'nope') } } } }))
  assertCode(e, 'SB_ERR_INVALID_CONFIG')
  assert.match(e.message, /onespan\.clientApp\.secret/)
  e = thrown(() => new Client(h.config(sim)).onespan())
  assertCode(e, 'SB_ERR_AUTH_CONFIG_MISSING')
})

test('values the core refuses reject with SB_ERR_INVALID_ARGUMENT or SB_ERR_INVALID_DOCUMENT before any request', async () => {
  const before = (await h.control(sim, 'GET', '/_sim/onespan/packages')).created
  const signer = { roleId: 'r', email: 'r@example.com', firstName: 'R', lastName: 'S' }
  const doc = { name: 'd', content: h.samplePdf('D') }
  const failed = []
  for (const [p, code, re] of [
    [() => onespan.createPackage({ name: '', signers: [signer], documents: [doc] }), 'SB_ERR_INVALID_ARGUMENT', /name is empty/],
    [() => onespan.createPackage({ name: 'x', signers: [], documents: [doc] }), 'SB_ERR_INVALID_ARGUMENT', /no signer/],
    [() => onespan.createPackage({ name: 'x', signers: [{ ...signer, email: 'nope' }], documents: [doc] }), 'SB_ERR_INVALID_ARGUMENT', /email/],
    [() => onespan.createPackage({ name: 'x', signers: [signer], documents: [{ name: 'd', content: Buffer.from('text') }] }), 'SB_ERR_INVALID_DOCUMENT', /request\.documents\[0\]/],
    [() => onespan.createPackage({ name: 'x', signers: [signer], documents: [{ ...doc, fields: [{ roleId: 'other', page: 0, top: 1, left: 1 }] }] }), 'SB_ERR_INVALID_ARGUMENT', /request\.documents\[0\]\.fields\[0\]\.roleId "other" is not the `roleId` of any signer/],
    [() => onespan.createPackage({ name: 'x', signers: [signer], documents: [doc], due: 'tomorrow' }), 'SB_ERR_INVALID_ARGUMENT', /yyyy-MM-ddTHH:mm:ss/],
    [() => onespan.createPackage({ name: 'x', signers: [signer], documents: [{ path: path.join(tmp, 'missing.pdf') }] }), 'SB_ERR_IO', /missing\.pdf/],
    [() => onespan.updatePackage({ packageId: 'abc' }), 'SB_ERR_INVALID_ARGUMENT', /changes nothing/],
    [() => onespan.download({ packageId: 'abc', kind: 'everything' }), 'SB_ERR_INVALID_ARGUMENT', /request\.kind: unknown variant .*`evidence_summary`/],
    [() => onespan.signingUrl({ packageId: 'abc', roleId: '' }), 'SB_ERR_INVALID_ARGUMENT', /role id/]
  ]) {
    const e = await h.rejection(p())
    assertCode(e, code)
    if (!re.test(e.message)) failed.push(`${p}: ${e.message}`)
  }
  assert.deepEqual(failed, [])
  assert.equal((await h.control(sim, 'GET', '/_sim/onespan/packages')).created, before)
})

test('bad requests reject with SB_ERR_INVALID_ARGUMENT naming the camelCase field, before any request', async () => {
  const before = (await h.control(sim, 'GET', '/_sim/onespan/packages')).created
  const signer = { roleId: 'r', email: 'r@example.com', firstName: 'R', lastName: 'S' }
  const cases = [
    [() => onespan.createPackage('pkg'), /request must be an object, got a string/],
    [() => onespan.createPackage({ name: 'x', signers: [{ ...signer, role: 'r' }] }), /request\.signers\[0\]\.role\b/],
    [() => onespan.createPackage({ name: 'x', signers: [{ roleId: 'r', email: 'r@example.com', lastName: 'S' }] }), /request\.signers\[0\]\.firstName is required/],
    [() => onespan.createPackage({ name: 'x', signers: [signer], documents: [{ content: Buffer.from('x') }] }), /request\.documents\[0\]\.name is required with `contentBase64`/],
    [() => onespan.createPackage({ name: 'x', signers: [signer], documents: [{ name: 'd', content: Buffer.from('x'), fields: [{ roleId: 'r', page: 0.5, top: 0, left: 0 }] }] }), /request\.documents\[0\]\.fields\[0\]\.page must be a whole number/],
    [() => onespan.createPackage({ name: 'x', signers: [signer], send: 'yes' }), /request\.send must be true or false/],
    [() => onespan.createPackage({ name: 'x', signers: [signer], emailMessage: 5 }), /request\.emailMessage must be a string/],
    [() => onespan.createPackage({ name: 'x', signers: [signer], email_message: 'hi', emailMessage: 'hi' }), /emailMessage/],
    [() => onespan.createPackage({ name: 'x', signers: [signer], documents: [{ name: 'd', content: 'text' }] }), /request\.documents\[0\]\.content/],
    [() => onespan.addDocument({ packageId: 'abc', document: { name: 'd' } }), /request\.document needs its PDF: give `path` \(a file\) or `contentBase64`/],
    [() => onespan.getPackage({ packageId: 1 }), /request\.packageId/],
    [() => onespan.download({ packageId: 'abc', kind: 'document', documentId: 'a', path: '/tmp/a', dir: '/tmp' }), /at most one of request\.path and request\.dir/],
    [() => onespan.download({ packageId: 'abc', kind: 'document' }), /request\.documentId is required/],
    [() => onespan.download({ packageId: 'abc', kind: 5 }), /request\.kind/],
    [() => onespan.list({ pagesize: 5 }), /pagesize/],
    [() => onespan.signingStatus({ packageId: 'abc', role: 'r' }), /"role"|`role`/],
    [() => onespan.wait({ packageId: 'abc' }, { onProgress: {} }), /onProgress must be a function/],
    [() => onespan.registerCallback({ url: 'http://x', key: 'k', events: 'PACKAGE_COMPLETE' }), /request\.events/]
  ]
  const failed = []
  for (const [run, re] of cases) {
    let e
    try {
      e = await h.rejection(run())
    } catch (thrown) {
      e = thrown
    }
    assertCode(e, 'SB_ERR_INVALID_ARGUMENT')
    if (!re.test(e.message)) failed.push(`${run}: ${e.message}`)
  }
  assert.deepEqual(failed, [])
  assert.equal((await h.control(sim, 'GET', '/_sim/onespan/packages')).created, before)
})

test('wrong argument types of the callback verifier throw TypeError naming the argument', () => {
  const cases = [
    [() => new OnespanCallbackVerifier(), /keys must be the callback key/],
    [() => new OnespanCallbackVerifier([1]), /keys\[0\] must be a string/],
    [() => new OnespanCallbackVerifier('k').verify(5, '{}'), /authorization must be a string/],
    [() => new OnespanCallbackVerifier('k').verify('Basic k', 42), /rawBody must be the body exactly as received/]
  ]
  for (const [call, re] of cases) {
    let thrown
    try { call() } catch (e) { thrown = e }
    assert.ok(thrown instanceof TypeError, `${call}: ${thrown}`)
    assert.match(thrown.message, re)
    assertCode(thrown, 'SB_ERR_INVALID_ARGUMENT')
  }
  let e
  try { new OnespanCallbackVerifier([]) } catch (x) { e = x } // eslint-disable-line no-new
  assertCode(e, 'SB_ERR_AUTH_CONFIG_MISSING')
})

test("the Node guide's OneSpan example (onespan.mjs) runs as written", async () => {
  const { spawn } = require('node:child_process')
  const guide = fs.readFileSync(path.join(h.ROOT, 'docs', 'getting-started', 'node.md'), 'utf8')
  const m = /```js\n(\/\/ onespan\.mjs\n[\s\S]*?)```/.exec(guide)
  assert.ok(m, 'docs/getting-started/node.md has the onespan.mjs example')
  assert.ok(m[1].includes("'http://127.0.0.1:8089'") && m[1].includes(`'${h.ONESPAN.apiKey}'`))
  const dir = fs.mkdtempSync(path.join(tmp, 'guide-'))
  fs.mkdirSync(path.join(dir, 'node_modules'))
  fs.symlinkSync(path.join(__dirname, '..'), path.join(dir, 'node_modules', 'signbridge'), 'dir')
  fs.copyFileSync(path.join(__dirname, '..', 'examples', 'contract.pdf'), path.join(dir, 'contract.pdf'))
  fs.writeFileSync(path.join(dir, 'onespan.mjs'), m[1].replaceAll("'http://127.0.0.1:8089'", JSON.stringify(sim.url)))
  const proc = spawn(process.execPath, ['onespan.mjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  proc.stdout.on('data', (d) => { text += d })
  proc.stderr.on('data', (d) => { text += d })
  const code = await new Promise((resolve) => proc.once('exit', resolve))
  assert.equal(code, 0, text)
  assert.match(text, /Kari Nordmann signs at http/)
  assert.match(text, /COMPLETED/)
  assert.match(text, /saved signed\.pdf and .*evidence/)
  assert.ok(isPdf(fs.readFileSync(path.join(dir, 'signed.pdf'))))
  const evidence = fs.readdirSync(path.join(dir, 'evidence'))
  assert.equal(evidence.length, 1, evidence.join())
  assert.ok(isPdf(fs.readFileSync(path.join(dir, 'evidence', evidence[0]))))
})

'use strict'
// The config object as JavaScript spells it (camelCase keys, as the TypeScript types show), the
// schema's snake_case JSON text through Client.fromJson, and errors that name fields the way
// the caller wrote them.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const { Client } = require('..')
const h = require('./helpers')

let sim

before(async () => {
  sim = await h.startSim()
})

after(() => sim.stop())

test('a camelCase config object works at every depth', async () => {
  const client = new Client({
    zignsec: { baseUrl: sim.url, keys: [h.PRIMARY_KEY, h.SECONDARY_KEY], keyHeader: 'product-key' },
    securosys: {
      baseUrl: sim.url,
      apiKeys: { keyManagement: [h.SECUROSYS.keyManagement], keyOperation: [h.SECUROSYS.keyOperation], service: [h.SECUROSYS.service] }
    },
    transport: { requestTimeoutMs: 10000, backoffBaseMs: 20, maxAttempts: 3 }
  })
  const session = await client.zignsecSigning().create({})
  assert.match(session.id, /^[0-9a-f-]{36}$/)
  const info = await client.securosys().versionInfo()
  assert.ok(info.version)
})

test('the snake_case keys of the JSON schema are still understood', async () => {
  const client = new Client({ zignsec: { base_url: sim.url, keys: [h.PRIMARY_KEY] } })
  assert.ok((await client.zignsecSigning().create({})).id)
})

test('Client.fromJson takes the one JSON spelling every language shares', async () => {
  const text = JSON.stringify({ zignsec: { base_url: sim.url, keys: [h.PRIMARY_KEY] } })
  const client = Client.fromJson(text)
  assert.ok((await client.zignsecSigning().create({})).id)
  assert.throws(() => Client.fromJson('{"zignsec": '), (e) => e.code === 'SB_ERR_INVALID_CONFIG')
})

test('a misspelt field is named in camelCase, with the camelCase fields expected', () => {
  assert.throws(
    () => new Client({ zignsec: { baseUrlx: sim.url, keys: [h.PRIMARY_KEY] } }),
    (e) => {
      assert.equal(e.code, 'SB_ERR_INVALID_CONFIG')
      assert.match(e.message, /unknown field `baseUrlx`/)
      assert.match(e.message, /`baseUrl`/)
      assert.doesNotMatch(e.message, /base_url/)
      return true
    }
  )
})

test('a key given in both spellings is refused, not silently dropped', () => {
  assert.throws(
    () => new Client({ zignsec: { baseUrl: sim.url, base_url: 'http://127.0.0.1:1', keys: [h.PRIMARY_KEY] } }),
    (e) => e.code === 'SB_ERR_INVALID_CONFIG' && /`baseUrl` is given twice/.test(e.message)
  )
})

test('the saving options reach the core in camelCase', () => {
  // An out-of-range mode is refused by the core's config check, so the field did arrive.
  assert.throws(
    () => new Client({ zignsec: { baseUrl: sim.url, keys: [h.PRIMARY_KEY] }, transport: { saveMode: 0o1777 } }),
    (e) => e.code === 'SB_ERR_INVALID_CONFIG' && /saveMode/.test(e.message)
  )
  const client = new Client({
    zignsec: { baseUrl: sim.url, keys: [h.PRIMARY_KEY] },
    transport: { saveOverwrite: true, saveMode: 0o640, readIdleTimeoutMs: 5000 }
  })
  assert.ok(client)
})

test('call() runs the operations that need no client; the others say to use a client', async () => {
  const { call } = require('..')
  const fs = require('node:fs')
  const path = require('node:path')
  const pdf = fs.readFileSync(path.join(__dirname, '..', 'examples', 'contract.pdf'))
  const report = await call('pdf.verify', { pdf_base64: pdf.toString('base64'), trust_anchors_pem: [] })
  assert.ok(Array.isArray(report.signatures))
  assert.equal(report.signatures.length, 0)
  await assert.rejects(call('zignsec.createSigning', {}), (e) => e.code === 'SB_ERR_INVALID_ARGUMENT' && /call it on a client/.test(e.message))
  await assert.rejects(call('pdf.verify', { pdf_base64: 42 }), (e) => e.code === 'SB_ERR_INVALID_ARGUMENT' && /request\.pdf_base64/.test(e.message))
})

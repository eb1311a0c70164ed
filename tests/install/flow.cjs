'use strict'
// The installed npm packages sign a PDF against the simulator, loaded with require()
// (tests/install/run.sh runs this from an empty project).
const assert = require('node:assert')
const { Client } = require('signbridge')

async function main () {
  const sim = process.env.SIGNBRIDGE_ZIGNSEC_URL
  const pdf = process.argv[2]
  // The addon must come from the platform package, not from a .node next to the main package.
  const addon = require.resolve('signbridge-linux-x64-gnu')
  const signing = new Client({ zignsec: { base_url: sim, keys: [process.env.SIGNBRIDGE_ZIGNSEC_KEY] } })
    .zignsecSigning()
  const started = await signing.signDocuments({ documents: [{ path: pdf }] })
  const r = await fetch(`${sim}/_sim/zignsec/signing/${started.id}/complete`, { method: 'POST' })
  assert.strictEqual(r.status, 200)
  const done = await signing.wait({ sessionId: started.id }, { intervalMs: 200, timeoutMs: 120000 })
  const bytes = await signing.download({ file: done.signedFiles[0] })
  assert.strictEqual(bytes.subarray(0, 5).toString(), '%PDF-')
  console.log(`node (require): ${done.status}, ${done.signedFiles.length} signed file(s), ${bytes.length} bytes; addon ${addon}`)
}

main().catch((e) => { console.error(e); process.exit(1) })

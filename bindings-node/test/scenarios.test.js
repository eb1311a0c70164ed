'use strict'
// The shared scenarios (tests/scenarios/*.json, see its README) through `client.call`, against
// the simulator — the same files the Rust, C and Python suites run.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { Client, operations } = require('..')
const h = require('./helpers')

// A scenario's message fragment names fields and operations as the core does (snake_case);
// the addon's messages name configuration fields and operations as JavaScript does
// (`securosys.createKey`).
// Quoted input echoed back (`unknown field "bogus_field"`) stays as the user wrote it.
const mentions = (message, fragment) =>
  message.includes(fragment) ||
  message.includes(fragment.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()))

const SCENARIOS = path.join(h.ROOT, 'tests', 'scenarios')
const PDF = path.join(h.ROOT, 'cli', 'assets', 'sample-contract.pdf')

let sim

before(async () => {
  sim = await h.startSim()
})

after(() => sim.stop())

/** `${name}` replaced in every string; a whole-string `${name}` keeps the value's type. */
function substitute (v, vars) {
  if (typeof v === 'string') {
    const whole = /^\$\{([^${}]+)\}$/.exec(v)
    if (whole && Object.prototype.hasOwnProperty.call(vars, whole[1])) return vars[whole[1]]
    let out = v
    for (const [k, val] of Object.entries(vars)) {
      out = out.split('${' + k + '}').join(typeof val === 'string' ? val : JSON.stringify(val))
    }
    return out
  }
  if (Array.isArray(v)) return v.map((x) => substitute(x, vars))
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, vars)]))
  }
  return v
}

/** null when `actual` matches the subset `expected`, else the first mismatch. */
function mismatch (expected, actual, at) {
  if (expected === '<any>') return null
  if (expected === '<nonempty>' && (typeof actual === 'string' || Array.isArray(actual)) &&
      actual.length > 0) return null
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    for (let i = 0; i < expected.length; i++) {
      const why = mismatch(expected[i], actual[i], `${at}[${i}]`)
      if (why) return why
    }
    return null
  }
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected) &&
      actual !== null && typeof actual === 'object' && !Array.isArray(actual)) {
    for (const [k, ev] of Object.entries(expected)) {
      if (!(k in actual)) return `${at}.${k} is missing`
      const why = mismatch(ev, actual[k], `${at}.${k}`)
      if (why) return why
    }
    return null
  }
  if (expected === actual) return null
  return `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`
}

function lookup (v, p) {
  return p.split('.').reduce((cur, seg) => (Array.isArray(cur) ? cur[Number(seg)] : cur[seg]), v)
}

const files = fs.readdirSync(SCENARIOS)
  .filter((f) => f.endsWith('.json') && f !== 'config.json')
  .sort()

for (const file of files) {
  test(`scenario ${file}`, async () => {
    const config = substitute(JSON.parse(fs.readFileSync(path.join(SCENARIOS, 'config.json'), 'utf8')),
      { sim: sim.url })
    const client = new Client(config)
    const scenario = JSON.parse(fs.readFileSync(path.join(SCENARIOS, file), 'utf8'))
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-scenario-'))
    const vars = {
      sim: sim.url,
      run: `js${process.pid}x${path.basename(file, '.json')}`,
      tmp,
      pdf: PDF,
      pdf_base64: fs.readFileSync(PDF).toString('base64')
    }
    const failures = []
    try {
      for (const [i, raw] of scenario.steps.entries()) {
        const step = substitute(raw, vars)
        const here = `${file} step ${i}`
        if (step.sim) {
          const [method, p] = step.sim.split(' ', 2)
          await h.control(sim, method, p, step.body)
          continue
        }
        const op = step.call
        let result
        try {
          result = await client.call(op, step.request ?? null)
        } catch (e) {
          if (!step.error) failures.push(`${here} (${op}): ${e.code}: ${e.message}`)
          else if (e.code !== step.error.code || !mentions(e.message, step.error.message)) {
            failures.push(`${here} (${op}): expected ${step.error.code} containing ` +
              `${JSON.stringify(step.error.message)}, got ${e.code}: ${e.message}`)
          }
          continue
        }
        if (step.error) {
          failures.push(`${here} (${op}): expected an error, got ${JSON.stringify(result)}`)
          continue
        }
        if (step.expect) {
          const why = mismatch(step.expect, result, 'result')
          if (why) failures.push(`${here} (${op}): ${why}`)
        }
        for (const [name, p] of Object.entries(step.save ?? {})) vars[name] = lookup(result, p)
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
    assert.deepEqual(failures, [])
  })
}

test('operations() lists the core table in both spellings', () => {
  const ops = operations()
  const create = ops.find((o) => o.name === 'securosys.create_key')
  assert.equal(create.camelName, 'securosys.createKey')
  assert.equal(create.needsClient, true)
  assert.equal(create.longRunning, false)
  assert.deepEqual(ops.filter((o) => !o.needsClient).map((o) => o.name).sort(),
    ['pdf.verify', 'securosys.approver_key', 'securosys.key_spec', 'securosys.quorum_policy', 'zignsec.parse_redirect'])
  assert.equal(new Set(ops.map((o) => o.name)).size, ops.length)
})

test('call takes camelCase operation names and rejects bad arguments clearly', async () => {
  const client = new Client(substitute(JSON.parse(fs.readFileSync(path.join(SCENARIOS, 'config.json'), 'utf8')),
    { sim: sim.url }))
  const v = await client.call('securosys.versionInfo')
  assert.equal(typeof v.version, 'string')
  assert.throws(() => client.call(42), { name: 'TypeError' })
  assert.throws(() => client.call('securosys.get_key', 'label'), { name: 'TypeError' })
  const e = await h.rejection(client.call('securosys.get_key', { label: 1 }))
  assert.equal(e.code, 'SB_ERR_INVALID_ARGUMENT')
  assert.match(e.message, /request\.label/)
})

'use strict'
// signbridge for Node (CommonJS entry). The native addon is loaded by the generated `binding.js`;
// this file only adds the frozen `ErrorCode` object, built from the core's own table, the
// `isSignbridgeError` type guard, the caller's frames on asynchronous errors, gives
// `client.securosys()`, `client.zignsecEid()`, `client.zignsecSigning()`, `client.onespan()`,
// `client.signing()` and `client.signingWith()` their facades generated from the operation table
// (securosys.js, zignsec-eid.js, zignsec-signing.js, onespan.js, signing.js), OneSpan listings walked with
// `for await` (`pages`, `packages`), and `parseRedirect`, a
// spelling of the module-level `callCamelCase('zignsec.parse_redirect', ...)`.

const binding = require('./binding.js')
const { Securosys } = require('./securosys.js')
const { ZignsecEid } = require('./zignsec-eid.js')
const { Onespan } = require('./onespan.js')
const { ZignsecSigning } = require('./zignsec-signing.js')
const { Signing } = require('./signing.js')

/** name -> number and number -> name, like a TypeScript numeric enum. */
const ErrorCode = {}
for (const { name, code } of binding.errorCodes()) {
  ErrorCode[name] = code
  ErrorCode[code] = name
}
Object.freeze(ErrorCode)

// OneSpan listings walked with `for await`: `list` is one page (`nextFrom` the next page's
// `from`), `pages(query)` calls it page after page and `packages(query)` yields each transaction.
// Nothing is fetched before the first iteration, nor after the loop is left.
Object.defineProperties(Onespan.prototype, {
  pages: {
    value: async function * pages (query) {
      for (let from = query?.from ?? 1; from != null;) {
        const page = await this.list({ ...query, from })
        yield page
        from = page.nextFrom
      }
    },
    configurable: true,
    writable: true
  },
  packages: {
    value: async function * packages (query) {
      for await (const page of this.pages(query)) yield * page.packages
    },
    configurable: true,
    writable: true
  }
})

// The generated facades over `client.callCamelCase`, for the configured service (each throws
// SB_ERR_AUTH_CONFIG_MISSING when the config has no section for it). `signing(provider?)` and
// `signingWith(provider)` choose the provider `start` uses, as the core chooses it.
Object.defineProperties(binding.Client.prototype, {
  securosys: {
    value: function securosys () {
      return new Securosys(this, this.serviceBaseUrl('securosys')[0])
    },
    configurable: true,
    writable: true
  },
  zignsecEid: {
    value: function zignsecEid () {
      return new ZignsecEid(this, this.serviceBaseUrl('zignsec')[0])
    },
    configurable: true,
    writable: true
  },
  zignsecSigning: {
    value: function zignsecSigning () {
      return new ZignsecSigning(this, this.serviceBaseUrl('zignsec')[0])
    },
    configurable: true,
    writable: true
  },
  onespan: {
    value: function onespan () {
      const [baseUrl, authMethod] = this.serviceBaseUrl('onespan')
      return new Onespan(this, baseUrl, { authMethod })
    },
    configurable: true,
    writable: true
  },
  signing: {
    value: function signing (provider) {
      return new Signing(this, { provider: this.signingProvider(provider) })
    },
    configurable: true,
    writable: true
  },
  signingWith: {
    value: function signingWith (provider) {
      return new Signing(this, { provider: this.signingProvider(provider ?? 0) })
    },
    configurable: true,
    writable: true
  }
})

// `client.callCamelCase`, which every facade runs: a plain object of scalars the addon would
// read as the same JSON crosses as JSON.stringify's text, far cheaper for this thread than
// reading it through N-API; any other request (Buffers, nested objects, NaN…) the addon reads.
const { callCamelCase: callObject, callCamelCaseText: callText } = binding.Client.prototype
delete binding.Client.prototype.callCamelCaseText
Object.defineProperty(binding.Client.prototype, 'callCamelCase', {
  value: function callCamelCase (operation, request, options) {
    const text = flatJson(request)
    return text === undefined
      ? callObject.call(this, operation, request, options)
      : callText.call(this, operation, text, options)
  },
  configurable: true,
  writable: true
})

// A lone surrogate (read as U+FFFD by the addon) is left to the addon; Node 18 lacks isWellFormed.
const wellFormed = typeof String.prototype.isWellFormed === 'function'
  ? (s) => s.isWellFormed()
  : (s) => !/\p{Cs}/u.test(s)

/** `request` as JSON text when it is a plain object of strings, booleans, nulls, 32-bit
 * integers and finite fractions (read alike either way), else undefined. */
function flatJson (request) {
  if (typeof request !== 'object' || request === null) return undefined
  const proto = Object.getPrototypeOf(request)
  if (proto !== Object.prototype && proto !== null) return undefined
  for (const key in request) {
    const v = request[key]
    switch (typeof v) {
      case 'string':
        if (!wellFormed(v)) return undefined
        break
      case 'number':
        if (Number.isInteger(v) ? v < -2147483648 || v > 4294967295 : !Number.isFinite(v)) {
          return undefined
        }
        break
      case 'boolean':
      case 'undefined':
        break
      default:
        if (v !== null) return undefined
    }
    if (!wellFormed(key)) return undefined
  }
  return JSON.stringify(request)
}

/** What the URL a browser came back to says; nothing is sent and no client is needed. */
function parseRedirect (returnedUrl) {
  return binding.callCamelCase('zignsec.parse_redirect', { returnedUrl })
}

/**
 * Whether `e` is a signbridge error: an `Error` with a `code` and `errno` from the core's table
 * (`err.code === 'SB_ERR_AUTH'`, `err.errno === 200`). A TypeScript type guard.
 */
function isSignbridgeError (e) {
  return e instanceof Error && typeof e.code === 'string' && typeof e.errno === 'number' &&
    e.code !== 'SB_OK' && ErrorCode[e.code] === e.errno
}

// Keep the caller's frames on asynchronous errors. A Promise is settled from the core's runtime,
// where no JavaScript frame is on the stack, so its error would read only "Error: message". Each
// call that returns a Promise records where it was made (V8 formats the frames only when
// `err.stack` is read) and a rejection gets them appended.
function keepCallerStack (fn) {
  const wrapped = function (...args) {
    const result = new.target ? Reflect.construct(fn, args, new.target) : fn.apply(this, args)
    if (!(result instanceof Promise)) return result
    const site = {}
    Error.captureStackTrace(site, wrapped)
    return result.catch((err) => {
      if (err instanceof Error && typeof site.stack === 'string') {
        const frames = site.stack.slice(site.stack.indexOf('\n'))
        err.stack = String(err.stack || err) + frames
      }
      throw err
    })
  }
  Object.defineProperties(wrapped, {
    name: { value: fn.name },
    length: { value: fn.length }
  })
  return wrapped
}

function wrapMethods (target) {
  for (const key of Object.getOwnPropertyNames(target)) {
    if (key === 'constructor' || key === 'prototype') continue
    const d = Object.getOwnPropertyDescriptor(target, key)
    if (typeof d.value !== 'function' || !d.configurable) continue
    Object.defineProperty(target, key, { ...d, value: keepCallerStack(d.value) })
  }
}

const exported = { ...binding, ErrorCode, isSignbridgeError, parseRedirect }
for (const [name, value] of Object.entries(binding)) {
  if (typeof value !== 'function') continue
  if (value.prototype && /^[A-Z]/.test(name)) {
    wrapMethods(value.prototype) // instance methods
    wrapMethods(value) // static methods
  } else {
    exported[name] = keepCallerStack(value)
  }
}

module.exports = exported

'use strict'
// signbridge for Node (CommonJS entry). The native addon is loaded by the generated `binding.js`;
// this file only adds the frozen `ErrorCode` object, built from the core's own table, and makes
// OneSpan listings async-iterable.

const binding = require('./binding.js')

/** name -> number and number -> name, like a TypeScript numeric enum. */
const ErrorCode = {}
for (const { name, code } of binding.errorCodes()) {
  ErrorCode[name] = code
  ErrorCode[code] = name
}
Object.freeze(ErrorCode)

// OneSpan listings are async iterables: every transaction across pages, or the pages themselves.
// Each page is one nextPage() call of the core's pager; nothing more happens here.
Object.defineProperties(binding.PackagePager.prototype, {
  [Symbol.asyncIterator]: {
    value: async function * packages () {
      for (let page = await this.nextPage(); page !== null; page = await this.nextPage()) {
        yield * page.packages
      }
    }
  },
  pages: {
    value: async function * pages () {
      for (let page = await this.nextPage(); page !== null; page = await this.nextPage()) {
        yield page
      }
    }
  }
})

module.exports = { ...binding, ErrorCode }

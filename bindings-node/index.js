'use strict'
// signbridge for Node (CommonJS entry). The native addon is loaded by the generated `binding.js`;
// this file only adds the frozen `ErrorCode` object, built from the core's own table.

const binding = require('./binding.js')

/** name -> number and number -> name, like a TypeScript numeric enum. */
const ErrorCode = {}
for (const { name, code } of binding.errorCodes()) {
  ErrorCode[name] = code
  ErrorCode[code] = name
}
Object.freeze(ErrorCode)

module.exports = { ...binding, ErrorCode }

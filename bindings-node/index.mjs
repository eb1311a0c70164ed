// signbridge for Node (ES module entry): the same objects as the CommonJS entry.
import signbridge from './index.js'

export const {
  Client,
  ApproverKey,
  Policy,
  defaultSignatureAlgorithm,
  OnespanCallbackVerifier,
  WebhookVerifier,
  SIGNATURE_HEADER,
  parseRedirect,
  ErrorCode,
  isSignbridgeError,
  errorCodes,
  operations,
  call,
  callCamelCase,
  version,
  __napiBindingTarget
} = signbridge
export default signbridge

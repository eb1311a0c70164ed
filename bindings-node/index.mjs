// signbridge for Node (ES module entry): the same objects as the CommonJS entry.
import signbridge from './index.js'

export const {
  Client,
  SigningApi,
  EidApi,
  EidProduct,
  ApproverKey,
  Policy,
  defaultSignatureAlgorithm,
  SigningService,
  OnespanApi,
  PackagePager,
  OnespanCallbackVerifier,
  WebhookVerifier,
  SIGNATURE_HEADER,
  parseRedirect,
  ErrorCode,
  isSignbridgeError,
  errorCodes,
  operations,
  call,
  version,
  __napiBindingTarget
} = signbridge
export default signbridge

// signbridge for Node (ES module entry): the same objects as the CommonJS entry.
import signbridge from './index.js'

export const { Client, SigningApi, ErrorCode, errorCodes, version, __napiBindingTarget } = signbridge
export default signbridge

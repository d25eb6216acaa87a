// binding.cc - module entry point of the v4l2loopback N-API addon: each
// concern (one .cc file) registers its own exports. No global state here,
// so the addon loads in any number of worker threads.
#include "common.h"

#include <linux/v4l2loopback.h>

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("uapiVersion", Napi::Number::New(env, V4L2LOOPBACK_VERSION_CODE));
  v4l2l::InitCtl(env, exports);
  v4l2l::InitFormat(env, exports);
  v4l2l::InitControls(env, exports);
  v4l2l::InitEvents(env, exports);
  v4l2l::InitStream(env, exports);
  v4l2l::InitMmap(env, exports);
  v4l2l::InitPoller(env, exports);
  v4l2l::InitIo(env, exports);
  v4l2l::InitConvert(env, exports);
  v4l2l::InitConstants(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(v4l2loopback, Init)

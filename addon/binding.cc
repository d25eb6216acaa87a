// binding.cc - module entry point of the v4l2loopback N-API addon.
#include <napi.h>

#include <linux/v4l2loopback.h>

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("uapiVersion", Napi::Number::New(env, V4L2LOOPBACK_VERSION_CODE));
  return exports;
}

}  // namespace

NODE_API_MODULE(v4l2loopback, Init)

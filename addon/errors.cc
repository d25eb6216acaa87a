// errors.cc - errno-shaped errors, like the SystemErrors of Node's fs:
// { errno: -16, code: 'EBUSY', syscall: 'ioctl', ioctl: 'VIDIOC_S_FMT' }.
#include "common.h"

#include <uv.h>

#include <cstring>
#include <string>

namespace v4l2l {

namespace {

bool UvKnows(int err) {
  // libuv answers "Unknown system error -N" for codes it has no name for.
  const char* name = uv_err_name(-err);
  return name != nullptr && std::strncmp(name, "Unknown", 7) != 0;
}

}  // namespace

std::string ErrnoName(int err) {
  if (UvKnows(err)) return uv_err_name(-err);
  const char* name = strerrorname_np(err);
  if (name != nullptr) return name;
  return "E" + std::to_string(err);
}

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall,
                       const char* ioctl_name) {
  std::string code = ErrnoName(err);
  // uv_strerror() gives the same text as Node's own errors.
  std::string text = UvKnows(err) ? uv_strerror(-err) : std::strerror(err);
  std::string message = code + ": " + text + ", " + syscall;
  if (ioctl_name != nullptr) message += std::string(" ") + ioctl_name;
  Napi::Error error = Napi::Error::New(env, message);
  Napi::Object obj = error.Value();
  obj.Set("errno", Napi::Number::New(env, -err));
  obj.Set("code", Napi::String::New(env, code));
  obj.Set("syscall", Napi::String::New(env, syscall));
  if (ioctl_name != nullptr) obj.Set("ioctl", Napi::String::New(env, ioctl_name));
  return error;
}

}  // namespace v4l2l

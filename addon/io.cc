// io.cc - frame-sized read()/write() on an O_NONBLOCK fd: null means
// EAGAIN (wait with a Poller), anything else failing throws.
#include "common.h"

#include <unistd.h>

namespace v4l2l {

namespace {

// write(fd, data) -> bytes written | null
Napi::Value Write(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  Bytes b = ArgBytes(info, 1, "data");
  ssize_t n;
  do {
    n = ::write(fd, b.data, b.length);
  } while (n == -1 && errno == EINTR);
  if (n == -1) {
    if (errno == EAGAIN) return info.Env().Null();
    throw ErrnoError(info.Env(), errno, "write");
  }
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// read(fd, target) -> bytes read | null
Napi::Value Read(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  Bytes b = ArgBytes(info, 1, "target");
  ssize_t n;
  do {
    n = ::read(fd, b.data, b.length);
  } while (n == -1 && errno == EINTR);
  if (n == -1) {
    if (errno == EAGAIN) return info.Env().Null();
    throw ErrnoError(info.Env(), errno, "read");
  }
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

}  // namespace

void InitIo(Napi::Env env, Napi::Object exports) {
  exports.Set("write", Napi::Function::New(env, Write, "write"));
  exports.Set("read", Napi::Function::New(env, Read, "read"));
}

}  // namespace v4l2l

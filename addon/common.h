// common.h - shared helpers of the addon: argument checks that throw
// TypeErrors instead of crashing, errno-shaped errors and xioctl().
#ifndef V4L2LOOPBACK_ADDON_COMMON_H_
#define V4L2LOOPBACK_ADDON_COMMON_H_

#include <napi.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <sys/ioctl.h>

namespace v4l2l {

// ---- errors (errors.cc) -------------------------------------------------

// An Error shaped like Node's SystemError: errno (negative), code, syscall
// and, for ioctls, the ioctl's name. The TypeScript layer adds `path`.
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall,
                       const char* ioctl_name = nullptr);

// The symbolic name of an errno value ("EBUSY"), or "E<n>" when unknown.
std::string ErrnoName(int err);

// ---- ioctl --------------------------------------------------------------

// ioctl() retried on EINTR; returns the ioctl's result or -1 with errno set.
inline int Xioctl(int fd, unsigned long request, void* arg) {
  int r;
  do {
    r = ioctl(fd, request, arg);
  } while (r == -1 && errno == EINTR);
  return r;
}

// Runs an ioctl and throws an errno-shaped error naming it on failure.
#define V4L2L_IOCTL_OR_THROW(env, fd, request, arg)                 \
  do {                                                              \
    if (::v4l2l::Xioctl((fd), (request), (arg)) == -1) {            \
      throw ::v4l2l::ErrnoError((env), errno, "ioctl", #request);   \
    }                                                               \
  } while (0)

// ---- arguments (args.cc) ------------------------------------------------

// Every exported function checks its arguments with these, so calling a
// method with the wrong arguments throws a TypeError and never crashes.
void ArgCount(const Napi::CallbackInfo& info, size_t n);
int ArgFd(const Napi::CallbackInfo& info, size_t i);
uint32_t ArgU32(const Napi::CallbackInfo& info, size_t i, const char* name);
int32_t ArgI32(const Napi::CallbackInfo& info, size_t i, const char* name);
int64_t ArgI64(const Napi::CallbackInfo& info, size_t i, const char* name);
bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name);
Napi::Object ArgObject(const Napi::CallbackInfo& info, size_t i,
                       const char* name);
Napi::Function ArgFunction(const Napi::CallbackInfo& info, size_t i,
                           const char* name);

// A byte range inside a TypedArray, DataView or ArrayBuffer argument.
struct Bytes {
  uint8_t* data;
  size_t length;
};
Bytes ArgBytes(const Napi::CallbackInfo& info, size_t i, const char* name);

// Optional numeric property of an options object (absent/undefined = dflt).
uint32_t PropU32(Napi::Object obj, const char* key, uint32_t dflt);
int32_t PropI32(Napi::Object obj, const char* key, int32_t dflt);
std::string PropString(Napi::Object obj, const char* key,
                       const std::string& dflt);

// ---- async calls (async.cc) ----------------------------------------------

// Runs `work` (a syscall returning >= 0 or -errno) on the libuv pool and
// returns a Promise that resolves to the result or rejects with an
// errno-shaped error. Used for calls that can sleep in the kernel.
Napi::Promise RunAsync(Napi::Env env, const char* syscall,
                       const char* ioctl_name, std::function<long()> work);

// ---- registration of each concern's exports -----------------------------

void InitCtl(Napi::Env env, Napi::Object exports);
void InitFormat(Napi::Env env, Napi::Object exports);
void InitControls(Napi::Env env, Napi::Object exports);
void InitEvents(Napi::Env env, Napi::Object exports);
void InitStream(Napi::Env env, Napi::Object exports);
void InitMmap(Napi::Env env, Napi::Object exports);
void InitPoller(Napi::Env env, Napi::Object exports);
void InitIo(Napi::Env env, Napi::Object exports);
void InitConvert(Napi::Env env, Napi::Object exports);
void InitConstants(Napi::Env env, Napi::Object exports);

}  // namespace v4l2l

#endif  // V4L2LOOPBACK_ADDON_COMMON_H_

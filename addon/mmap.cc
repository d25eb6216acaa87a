// mmap.cc - buffers mapped from the device as external ArrayBuffers. The
// GC finalizer unmaps; munmap() detaches first so views become empty
// instead of dangling. vb2 keeps still-mapped memory alive after
// REQBUFS(0) ("orphaned"), so a late finalizer is safe.
#include "common.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <mutex>
#include <unordered_map>

namespace v4l2l {

namespace {

struct Mapping {
  void* addr;
  size_t length;
  bool unmapped;
};

// Live mappings by address, shared by all envs (worker threads).
std::mutex registry_mutex;
std::unordered_map<void*, Mapping*>& Registry() {
  static auto* registry = new std::unordered_map<void*, Mapping*>();
  return *registry;
}

void Finalize(Napi::Env /*env*/, void* /*data*/, Mapping* m) {
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    if (!m->unmapped) {
      Registry().erase(m->addr);
      munmap(m->addr, m->length);
    }
  }
  delete m;
}

// mmap(fd, length, offset, writable) -> ArrayBuffer backed by the mapping
Napi::Value Mmap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  uint32_t length = ArgU32(info, 1, "length");
  uint32_t offset = ArgU32(info, 2, "offset");
  bool writable = ArgBool(info, 3, "writable");
  if (length == 0) throw Napi::RangeError::New(env, "length must be positive");
  // Touching a mapping past the end of a regular file raises SIGBUS, which
  // would kill the process: refuse it here. Device drivers check themselves.
  struct stat st;
  if (fstat(fd, &st) == -1) throw ErrnoError(env, errno, "fstat");
  if (S_ISREG(st.st_mode) &&
      static_cast<uint64_t>(offset) + length > static_cast<uint64_t>(st.st_size)) {
    throw Napi::RangeError::New(env, "offset + length is past the end of the file");
  }
  int prot = PROT_READ | (writable ? PROT_WRITE : 0);
  void* addr = mmap(nullptr, length, prot, MAP_SHARED, fd, offset);
  if (addr == MAP_FAILED) throw ErrnoError(env, errno, "mmap");
  auto* m = new Mapping{addr, length, false};
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    Registry()[addr] = m;
  }
  napi_value ab;
  napi_status status = napi_create_external_arraybuffer(
      env, addr, length,
      [](napi_env e, void* data, void* hint) {
        Finalize(Napi::Env(e), data, static_cast<Mapping*>(hint));
      },
      m, &ab);
  if (status != napi_ok) {
    // e.g. Electron, which forbids external buffers: give a copy instead.
    {
      std::lock_guard<std::mutex> lock(registry_mutex);
      Registry().erase(addr);
    }
    munmap(addr, length);
    delete m;
    throw Napi::Error::New(env, "External ArrayBuffers are not allowed in this runtime; "
                                "use the write()/read() frame path");
  }
  return Napi::Value(env, ab);
}

// munmap(arrayBuffer) -> true if this call unmapped it, false if it was not
// (or no longer) a mapping. Views of it become zero-length.
Napi::Value Munmap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) {
    throw Napi::TypeError::New(env, "Expected ArrayBuffer for buffer");
  }
  Napi::ArrayBuffer ab = info[0].As<Napi::ArrayBuffer>();
  void* addr = ab.Data();
  if (addr == nullptr) return Napi::Boolean::New(env, false);
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = Registry().find(addr);
  if (it == Registry().end() || it->second->length != ab.ByteLength()) {
    return Napi::Boolean::New(env, false);
  }
  Mapping* m = it->second;
  ab.Detach();
  Registry().erase(it);
  munmap(m->addr, m->length);
  m->unmapped = true;  // the finalizer only frees the record now
  return Napi::Boolean::New(env, true);
}

}  // namespace

void InitMmap(Napi::Env env, Napi::Object exports) {
  exports.Set("mmap", Napi::Function::New(env, Mmap, "mmap"));
  exports.Set("munmap", Napi::Function::New(env, Munmap, "munmap"));
}

}  // namespace v4l2l

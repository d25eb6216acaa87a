// poller.cc - fd readiness through uv_poll on the calling env's own loop
// (so it works in worker threads). A poller is a type-tagged External;
// the TypeScript Poller class wraps the four functions below.
#include "common.h"

#include <uv.h>

#include <memory>

namespace v4l2l {

namespace {

const napi_type_tag kPollerTag = {0x7634'6c32'6c6f'6f70ULL, 0x706f'6c6c'6572'0001ULL};

struct PollerImpl {
  napi_env env = nullptr;
  int fd = -1;
  uv_poll_t* handle = nullptr;  // nullptr once closed
  Napi::FunctionReference callback;
  Napi::ObjectReference self;   // strong while polling, so GC keeps us
  std::unique_ptr<Napi::AsyncContext> context;
  bool cleanup_hook = false;
  bool held = false;
};

// While polling, the handle and the callback are held strongly; while
// stopped, both are weak so an abandoned poller can be collected.
void Hold(PollerImpl* p) {
  if (!p->held) {
    p->self.Ref();
    p->callback.Ref();
    p->held = true;
  }
}

void Release(PollerImpl* p) {
  if (p->held) {
    p->self.Unref();
    p->callback.Unref();
    p->held = false;
  }
}

void OnClosed(uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); }

void CloseHandle(PollerImpl* p) {
  if (p->handle != nullptr) {
    uv_poll_stop(p->handle);
    p->handle->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(p->handle), OnClosed);
    p->handle = nullptr;
  }
  Release(p);
}

void CleanupHook(void* arg) {
  auto* p = static_cast<PollerImpl*>(arg);
  p->cleanup_hook = false;
  CloseHandle(p);
}

void RemoveHook(PollerImpl* p) {
  if (p->cleanup_hook) {
    napi_remove_env_cleanup_hook(p->env, CleanupHook, p);
    p->cleanup_hook = false;
  }
}

void OnPoll(uv_poll_t* h, int status, int events) {
  auto* p = static_cast<PollerImpl*>(h->data);
  if (p == nullptr || p->callback.IsEmpty()) return;
  Napi::Env env(p->env);
  Napi::HandleScope scope(env);
  if (p->callback.Value().IsEmpty()) return;
  try {
    p->callback.MakeCallback(env.Global(),
                             {Napi::Number::New(env, status), Napi::Number::New(env, events)},
                             *p->context);
  } catch (const Napi::Error& e) {
    napi_fatal_exception(p->env, e.Value());
  }
}

PollerImpl* Unwrap(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal() ||
      !info[0].As<Napi::External<PollerImpl>>().CheckTypeTag(&kPollerTag)) {
    throw Napi::TypeError::New(info.Env(), "Expected a poller handle");
  }
  return info[0].As<Napi::External<PollerImpl>>().Data();
}

// pollerCreate(fd, callback(status, events)) -> handle
Napi::Value PollerCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  Napi::Function cb = ArgFunction(info, 1, "callback");
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    throw Napi::Error::New(env, "No event loop for this environment");
  }
  auto impl = std::make_unique<PollerImpl>();
  impl->env = env;
  impl->fd = fd;
  impl->handle = new uv_poll_t();
  int r = uv_poll_init(loop, impl->handle, fd);
  if (r != 0) {
    delete impl->handle;
    throw ErrnoError(env, -r, "uv_poll_init");
  }
  impl->handle->data = impl.get();
  impl->callback = Napi::Weak(cb);
  impl->context = std::make_unique<Napi::AsyncContext>(env, "v4l2loopback:poller");
  PollerImpl* p = impl.release();
  auto ext = Napi::External<PollerImpl>::New(env, p, [](Napi::Env, PollerImpl* q) {
    RemoveHook(q);
    CloseHandle(q);
    delete q;
  });
  ext.TypeTag(&kPollerTag);
  p->self = Napi::ObjectReference::New(ext.As<Napi::Object>(), 0);
  napi_add_env_cleanup_hook(env, CleanupHook, p);
  p->cleanup_hook = true;
  return ext;
}

// pollerStart(handle, events): events is a mask of UV_READABLE etc.
Napi::Value PollerStart(const Napi::CallbackInfo& info) {
  PollerImpl* p = Unwrap(info);
  uint32_t events = ArgU32(info, 1, "events");
  if (p->handle == nullptr) throw Napi::Error::New(info.Env(), "Poller is closed");
  if ((events & ~(UV_READABLE | UV_WRITABLE | UV_DISCONNECT | UV_PRIORITIZED)) != 0 || events == 0) {
    throw Napi::RangeError::New(info.Env(), "Invalid poll event mask");
  }
  int r = uv_poll_start(p->handle, static_cast<int>(events), OnPoll);
  if (r != 0) throw ErrnoError(info.Env(), -r, "uv_poll_start");
  Hold(p);
  return info.Env().Undefined();
}

// pollerStop(handle): no more callbacks until the next start
Napi::Value PollerStop(const Napi::CallbackInfo& info) {
  PollerImpl* p = Unwrap(info);
  if (p->handle != nullptr) uv_poll_stop(p->handle);
  Release(p);
  return info.Env().Undefined();
}

// pollerClose(handle): stop for good; the fd may be closed right after.
Napi::Value PollerClose(const Napi::CallbackInfo& info) {
  PollerImpl* p = Unwrap(info);
  RemoveHook(p);
  CloseHandle(p);
  return info.Env().Undefined();
}

}  // namespace

void InitPoller(Napi::Env env, Napi::Object exports) {
  exports.Set("pollerCreate", Napi::Function::New(env, PollerCreate, "pollerCreate"));
  exports.Set("pollerStart", Napi::Function::New(env, PollerStart, "pollerStart"));
  exports.Set("pollerStop", Napi::Function::New(env, PollerStop, "pollerStop"));
  exports.Set("pollerClose", Napi::Function::New(env, PollerClose, "pollerClose"));
  Napi::Object events = Napi::Object::New(env);
  events.Set("READABLE", static_cast<uint32_t>(UV_READABLE));
  events.Set("WRITABLE", static_cast<uint32_t>(UV_WRITABLE));
  events.Set("DISCONNECT", static_cast<uint32_t>(UV_DISCONNECT));
  events.Set("PRIORITIZED", static_cast<uint32_t>(UV_PRIORITIZED));
  exports.Set("pollEvents", events);
}

}  // namespace v4l2l

// poller.cc - fd readiness through uv_poll on the calling env's own loop
// (so it works in worker threads). A poller handle is a type-tagged plain
// object wrapping the native state and holding the JS callback as a
// property, so the callback lives exactly as long as the handle (a weak
// native reference to the callback alone let the GC take it while the
// poller was stopped, and the next wake-up was lost). The TypeScript
// Poller class wraps the four functions below.
//
// The device fd sits in a private epoll set and uv_poll watches that set.
// uv_poll_init() on the device itself would probe it with POLLIN, and for
// a V4L2 capture queue with no buffers that probe starts read() emulation,
// making the fd a consumer (and the queue busy for REQBUFS). Through the
// private set the device only ever sees the events asked for.
#include "common.h"

#include <sys/epoll.h>
#include <unistd.h>
#include <uv.h>

#include <memory>

namespace v4l2l {

namespace {

const napi_type_tag kPollerTag = {0x7634'6c32'6c6f'6f70ULL, 0x706f'6c6c'6572'0001ULL};
const char kCallbackKey[] = "callback";

// The uv handle and the epoll fd it watches; freed in the close callback.
struct PollHandle {
  uv_poll_t poll;  // first member: uv_handle_t* casts back to PollHandle*
  int epfd;
};

struct PollerImpl {
  napi_env env = nullptr;
  int fd = -1;
  PollHandle* ph = nullptr;
  uv_poll_t* handle = nullptr;  // &ph->poll; nullptr once closed
  Napi::ObjectReference self;   // the handle object: strong while polling
  std::unique_ptr<Napi::AsyncContext> context;
  bool cleanup_hook = false;
  bool held = false;
  int requested = 0;
};

// While polling, the handle (and so its callback) is held strongly; while
// stopped it is weak, so an abandoned poller can be collected.
void Hold(PollerImpl* p) {
  if (!p->held) {
    uint32_t n;
    napi_reference_ref(p->env, p->self, &n);
    p->held = true;
  }
}

void Release(PollerImpl* p) {
  if (p->held) {
    // Statuses ignored on purpose: this also runs from finalizers and
    // cleanup hooks, where throwing is not an option.
    uint32_t n;
    napi_reference_unref(p->env, p->self, &n);
    p->held = false;
  }
}

void OnClosed(uv_handle_t* h) {
  auto* ph = reinterpret_cast<PollHandle*>(h);
  close(ph->epfd);
  delete ph;
}

uint32_t ToEpoll(int uv_events) {
  uint32_t e = 0;
  if (uv_events & UV_READABLE) e |= EPOLLIN;
  if (uv_events & UV_WRITABLE) e |= EPOLLOUT;
  if (uv_events & UV_PRIORITIZED) e |= EPOLLPRI;
  if (uv_events & UV_DISCONNECT) e |= EPOLLRDHUP;
  return e;
}

int FromEpoll(uint32_t e, int requested) {
  // Like libuv: an error or hangup wakes every requested event.
  if (e & (EPOLLERR | EPOLLHUP)) return requested;
  int uv = 0;
  if (e & EPOLLIN) uv |= UV_READABLE;
  if (e & EPOLLOUT) uv |= UV_WRITABLE;
  if (e & EPOLLPRI) uv |= UV_PRIORITIZED;
  if (e & EPOLLRDHUP) uv |= UV_DISCONNECT;
  return uv & requested;
}

void CloseHandle(PollerImpl* p) {
  if (p->handle != nullptr) {
    uv_poll_stop(p->handle);
    p->handle->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(p->handle), OnClosed);
    p->handle = nullptr;
    p->ph = nullptr;
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

void OnPoll(uv_poll_t* h, int status, int /*events*/) {
  auto* p = static_cast<PollerImpl*>(h->data);
  if (p == nullptr || p->self.IsEmpty()) return;
  int events = 0;
  if (status == 0) {
    epoll_event ev;
    int n = epoll_wait(p->ph->epfd, &ev, 1, 0);
    if (n <= 0) return;  // spurious
    events = FromEpoll(ev.events, p->requested);
    if (events == 0) return;
  }
  Napi::Env env(p->env);
  Napi::HandleScope scope(env);
  Napi::Object self = p->self.Value();
  if (self.IsEmpty()) return;
  try {
    Napi::Value cb = self.Get(kCallbackKey);
    if (!cb.IsFunction()) return;
    cb.As<Napi::Function>().MakeCallback(
        env.Global(), {Napi::Number::New(env, status), Napi::Number::New(env, events)},
        *p->context);
  } catch (const Napi::Error& e) {
    napi_fatal_exception(p->env, e.Value());
  }
}

PollerImpl* Unwrap(const Napi::CallbackInfo& info) {
  void* data = nullptr;
  if (info.Length() < 1 || !info[0].IsObject() ||
      !info[0].As<Napi::Object>().CheckTypeTag(&kPollerTag) ||
      napi_unwrap(info.Env(), info[0], &data) != napi_ok || data == nullptr) {
    throw Napi::TypeError::New(info.Env(), "Expected a poller handle");
  }
  return static_cast<PollerImpl*>(data);
}

void Finalize(napi_env /*env*/, void* data, void* /*hint*/) {
  auto* p = static_cast<PollerImpl*>(data);
  RemoveHook(p);
  CloseHandle(p);
  delete p;
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
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) throw ErrnoError(env, errno, "epoll_create1");
  // The device joins the set only in start(), with the events wanted:
  // drivers register their wait queues for the events of that first poll.
  auto impl = std::make_unique<PollerImpl>();
  impl->env = env;
  impl->fd = fd;
  impl->ph = new PollHandle();
  impl->ph->epfd = epfd;
  impl->handle = &impl->ph->poll;
  int r = uv_poll_init(loop, impl->handle, epfd);
  if (r != 0) {
    close(epfd);
    delete impl->ph;
    throw ErrnoError(env, -r, "uv_poll_init");
  }
  impl->handle->data = impl.get();
  impl->context = std::make_unique<Napi::AsyncContext>(env, "v4l2loopback:poller");
  // The callback is a read-only property of the handle: held as long as it.
  Napi::Object obj = Napi::Object::New(env);
  obj.DefineProperty(Napi::PropertyDescriptor::Value(kCallbackKey, cb, napi_default));
  if (napi_wrap(env, obj, impl.get(), Finalize, nullptr, nullptr) != napi_ok) {
    CloseHandle(impl.get());
    throw Napi::Error::New(env, "Could not wrap the poller");
  }
  PollerImpl* p = impl.release();
  obj.TypeTag(&kPollerTag);
  p->self = Napi::ObjectReference::New(obj, 0);
  napi_add_env_cleanup_hook(env, CleanupHook, p);
  p->cleanup_hook = true;
  return obj;
}

// pollerStart(handle, events): events is a mask of UV_READABLE etc.
Napi::Value PollerStart(const Napi::CallbackInfo& info) {
  PollerImpl* p = Unwrap(info);
  uint32_t events = ArgU32(info, 1, "events");
  if (p->handle == nullptr) throw Napi::Error::New(info.Env(), "Poller is closed");
  if ((events & ~(UV_READABLE | UV_WRITABLE | UV_DISCONNECT | UV_PRIORITIZED)) != 0 || events == 0) {
    throw Napi::RangeError::New(info.Env(), "Invalid poll event mask");
  }
  epoll_event ev{};
  ev.events = ToEpoll(static_cast<int>(events));
  ev.data.fd = p->fd;
  if (p->requested != 0) epoll_ctl(p->ph->epfd, EPOLL_CTL_DEL, p->fd, nullptr);
  if (epoll_ctl(p->ph->epfd, EPOLL_CTL_ADD, p->fd, &ev) != 0) {
    p->requested = 0;
    throw ErrnoError(info.Env(), errno, "epoll_ctl");
  }
  p->requested = static_cast<int>(events);
  int r = uv_poll_start(p->handle, UV_READABLE, OnPoll);
  if (r != 0) throw ErrnoError(info.Env(), -r, "uv_poll_start");
  Hold(p);
  return info.Env().Undefined();
}

// pollerStop(handle): no more callbacks until the next start
Napi::Value PollerStop(const Napi::CallbackInfo& info) {
  PollerImpl* p = Unwrap(info);
  if (p->handle != nullptr) {
    uv_poll_stop(p->handle);
    if (p->requested != 0) epoll_ctl(p->ph->epfd, EPOLL_CTL_DEL, p->fd, nullptr);
    p->requested = 0;
  }
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

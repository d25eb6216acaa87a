// events.cc - V4L2 events: SUBSCRIBE/UNSUBSCRIBE_EVENT and a non-blocking
// DQEVENT (null when none is pending; wait with a Poller on PRIORITIZED).
#include "common.h"

#include <linux/v4l2loopback.h>
#include <linux/videodev2.h>

#include <cstring>

namespace v4l2l {

namespace {

// subscribeEvent(fd, type, id, flags)
Napi::Value SubscribeEvent(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  v4l2_event_subscription s;
  std::memset(&s, 0, sizeof(s));
  s.type = ArgU32(info, 1, "type");
  s.id = ArgU32(info, 2, "id");
  s.flags = ArgU32(info, 3, "flags");
  V4L2L_IOCTL_OR_THROW(info.Env(), fd, VIDIOC_SUBSCRIBE_EVENT, &s);
  return info.Env().Undefined();
}

// unsubscribeEvent(fd, type, id)
Napi::Value UnsubscribeEvent(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  v4l2_event_subscription s;
  std::memset(&s, 0, sizeof(s));
  s.type = ArgU32(info, 1, "type");
  s.id = ArgU32(info, 2, "id");
  V4L2L_IOCTL_OR_THROW(info.Env(), fd, VIDIOC_UNSUBSCRIBE_EVENT, &s);
  return info.Env().Undefined();
}

// dequeueEvent(fd) -> { type, id, sequence, pending, timestampNs, ... } | null
Napi::Value DequeueEvent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  v4l2_event ev;
  std::memset(&ev, 0, sizeof(ev));
  if (Xioctl(fd, VIDIOC_DQEVENT, &ev) == -1) {
    // ENOENT: nothing pending. The fd must be O_NONBLOCK: on a blocking
    // fd the kernel would sleep here.
    if (errno == EAGAIN || errno == ENOENT) return env.Null();
    throw ErrnoError(env, errno, "ioctl", "VIDIOC_DQEVENT");
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("type", ev.type);
  o.Set("id", ev.id);
  o.Set("sequence", ev.sequence);
  o.Set("pending", ev.pending);
  o.Set("timestampNs", static_cast<double>(ev.timestamp.tv_sec) * 1e9 +
                           static_cast<double>(ev.timestamp.tv_nsec));
  if (ev.type == V4L2_EVENT_CTRL) {
    Napi::Object c = Napi::Object::New(env);
    c.Set("changes", ev.u.ctrl.changes);
    c.Set("type", ev.u.ctrl.type);
    c.Set("value", static_cast<double>(ev.u.ctrl.type == V4L2_CTRL_TYPE_INTEGER64
                                           ? ev.u.ctrl.value64
                                           : ev.u.ctrl.value));
    c.Set("flags", ev.u.ctrl.flags);
    c.Set("minimum", ev.u.ctrl.minimum);
    c.Set("maximum", ev.u.ctrl.maximum);
    c.Set("step", ev.u.ctrl.step);
    c.Set("defaultValue", ev.u.ctrl.default_value);
    o.Set("ctrl", c);
  } else if (ev.type == V4L2_EVENT_PRI_CLIENT_USAGE) {
    v4l2_event_client_usage usage;
    std::memcpy(&usage, ev.u.data, sizeof(usage));
    o.Set("count", usage.count);
  } else if (ev.type == V4L2_EVENT_SOURCE_CHANGE) {
    o.Set("changes", ev.u.src_change.changes);
  }
  o.Set("data", Napi::Buffer<uint8_t>::Copy(env, ev.u.data, sizeof(ev.u.data)));
  return o;
}

}  // namespace

void InitEvents(Napi::Env env, Napi::Object exports) {
  exports.Set("subscribeEvent", Napi::Function::New(env, SubscribeEvent, "subscribeEvent"));
  exports.Set("unsubscribeEvent", Napi::Function::New(env, UnsubscribeEvent, "unsubscribeEvent"));
  exports.Set("dequeueEvent", Napi::Function::New(env, DequeueEvent, "dequeueEvent"));
}

}  // namespace v4l2l

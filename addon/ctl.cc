// ctl.cc - the control device /dev/v4l2loopback: VERSION and QUERY are
// quick (sync); ADD and REMOVE register devices and wait on udev (async).
#include "common.h"

#include <linux/v4l2loopback.h>

#include <cstring>
#include <memory>

namespace v4l2l {

namespace {

Napi::Value CtlVersion(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  __u32 version = 0;
  V4L2L_IOCTL_OR_THROW(info.Env(), fd, V4L2LOOPBACK_CTL_VERSION, &version);
  return Napi::Number::New(info.Env(), version);
}

// { outputNr, captureNr, label, minWidth, maxWidth, minHeight, maxHeight,
//   maxBuffers, maxOpeners, announceAllCaps }; absent fields = kernel default
v4l2_loopback_config ConfigFrom(Napi::Object o) {
  v4l2_loopback_config c;
  std::memset(&c, 0, sizeof(c));
  c.output_nr = PropI32(o, "outputNr", -1);
  c.capture_nr = PropI32(o, "captureNr", -1);
  std::string label = PropString(o, "label", "");
  if (label.size() > sizeof(c.card_label)) {
    throw Napi::RangeError::New(o.Env(), "label is longer than 32 bytes");
  }
  std::memcpy(c.card_label, label.data(), label.size());
  c.min_width = PropU32(o, "minWidth", 0);
  c.max_width = PropU32(o, "maxWidth", 0);
  c.min_height = PropU32(o, "minHeight", 0);
  c.max_height = PropU32(o, "maxHeight", 0);
  c.max_buffers = PropI32(o, "maxBuffers", 0);
  c.max_openers = PropI32(o, "maxOpeners", 0);
  c.debug = 0;
  c.announce_all_caps = PropI32(o, "announceAllCaps", -1);
  return c;
}

Napi::Object ConfigTo(Napi::Env env, const v4l2_loopback_config& c) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("outputNr", c.output_nr);
  o.Set("captureNr", c.capture_nr);
  o.Set("label", std::string(c.card_label, strnlen(c.card_label, sizeof(c.card_label))));
  o.Set("minWidth", c.min_width);
  o.Set("maxWidth", c.max_width);
  o.Set("minHeight", c.min_height);
  o.Set("maxHeight", c.max_height);
  o.Set("maxBuffers", c.max_buffers);
  o.Set("maxOpeners", c.max_openers);
  o.Set("debug", c.debug);
  o.Set("announceAllCaps", c.announce_all_caps);
  return o;
}

// ctlAdd(fd, config | null) -> Promise<number of the output node>. A
// captureNr other than -1 (or the output's own number) asks for a split
// device: ADD_SPLIT, since ADD ignores that field (see the UAPI header).
Napi::Value CtlAdd(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  std::shared_ptr<v4l2_loopback_config> cfg;
  if (info.Length() > 1 && !info[1].IsNull() && !info[1].IsUndefined()) {
    cfg = std::make_shared<v4l2_loopback_config>(ConfigFrom(ArgObject(info, 1, "config")));
  }
  bool split = cfg && cfg->capture_nr != -1 && cfg->capture_nr != cfg->output_nr;
  unsigned long req = split ? V4L2LOOPBACK_CTL_ADD_SPLIT : V4L2LOOPBACK_CTL_ADD;
  const char* name = split ? "V4L2LOOPBACK_CTL_ADD_SPLIT" : "V4L2LOOPBACK_CTL_ADD";
  return RunAsync(info.Env(), "ioctl", name, [fd, cfg, req]() -> long {
    int r = Xioctl(fd, req, cfg.get());
    return r < 0 ? -errno : r;
  });
}

// ctlRemove(fd, nr) -> Promise<void>; the number is passed by value.
Napi::Value CtlRemove(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  uint32_t nr = ArgU32(info, 1, "nr");
  return RunAsync(info.Env(), "ioctl", "V4L2LOOPBACK_CTL_REMOVE", [fd, nr]() -> long {
    int r;
    do {
      r = ioctl(fd, V4L2LOOPBACK_CTL_REMOVE, static_cast<unsigned long>(nr));
    } while (r == -1 && errno == EINTR);
    return r < 0 ? -errno : 0;
  });
}

// ctlQuery(fd, nr) -> config of the loopback that has node /dev/video<nr>
Napi::Value CtlQuery(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  v4l2_loopback_config c;
  std::memset(&c, 0, sizeof(c));
  c.output_nr = ArgI32(info, 1, "outputNr");
  V4L2L_IOCTL_OR_THROW(info.Env(), fd, V4L2LOOPBACK_CTL_QUERY, &c);
  return ConfigTo(info.Env(), c);
}

}  // namespace

void InitCtl(Napi::Env env, Napi::Object exports) {
  static_assert(sizeof(v4l2_loopback_config) == 72, "ABI: 72-byte config");
  exports.Set("ctlVersion", Napi::Function::New(env, CtlVersion, "ctlVersion"));
  exports.Set("ctlAdd", Napi::Function::New(env, CtlAdd, "ctlAdd"));
  exports.Set("ctlRemove", Napi::Function::New(env, CtlRemove, "ctlRemove"));
  exports.Set("ctlQuery", Napi::Function::New(env, CtlQuery, "ctlQuery"));
}

}  // namespace v4l2l

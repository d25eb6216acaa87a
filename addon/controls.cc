// controls.cc - V4L2 controls: QUERY_EXT_CTRL enumeration, QUERYMENU,
// G/S_EXT_CTRLS for the integer-like types. Synchronous.
#include "common.h"

#include <linux/videodev2.h>

#include <cstring>
#include <string>

namespace v4l2l {

namespace {

Napi::Object CtrlInfoTo(Napi::Env env, const v4l2_query_ext_ctrl& q) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", q.id);
  o.Set("type", q.type);
  o.Set("name", std::string(q.name, strnlen(q.name, sizeof(q.name))));
  o.Set("minimum", static_cast<double>(q.minimum));
  o.Set("maximum", static_cast<double>(q.maximum));
  o.Set("step", static_cast<double>(q.step));
  o.Set("defaultValue", static_cast<double>(q.default_value));
  o.Set("flags", q.flags);
  o.Set("elems", q.elems);
  return o;
}

bool QueryExt(int fd, uint32_t id, v4l2_query_ext_ctrl* q) {
  std::memset(q, 0, sizeof(*q));
  q->id = id;
  return Xioctl(fd, VIDIOC_QUERY_EXT_CTRL, q) == 0;
}

// listControls(fd) -> [{ id, type, name, minimum, maximum, step, ... }]
Napi::Value ListControls(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  Napi::Array out = Napi::Array::New(env);
  uint32_t id = 0;
  for (uint32_t n = 0; n < 4096; n++) {
    v4l2_query_ext_ctrl q;
    if (!QueryExt(fd, id | V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND, &q)) {
      if (errno == EINVAL) break;
      throw ErrnoError(env, errno, "ioctl", "VIDIOC_QUERY_EXT_CTRL");
    }
    out.Set(n, CtrlInfoTo(env, q));
    id = q.id;
  }
  return out;
}

// queryControl(fd, id) -> info (throws EINVAL for an unknown id)
Napi::Value QueryControl(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  uint32_t id = ArgU32(info, 1, "id");
  v4l2_query_ext_ctrl q;
  if (!QueryExt(fd, id, &q)) throw ErrnoError(info.Env(), errno, "ioctl", "VIDIOC_QUERY_EXT_CTRL");
  return CtrlInfoTo(info.Env(), q);
}

// queryMenu(fd, id, index) -> string | number | null (index not in the menu)
Napi::Value QueryMenu(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  v4l2_querymenu m;
  std::memset(&m, 0, sizeof(m));
  m.id = ArgU32(info, 1, "id");
  m.index = ArgU32(info, 2, "index");
  v4l2_query_ext_ctrl q;
  if (!QueryExt(fd, m.id, &q)) throw ErrnoError(info.Env(), errno, "ioctl", "VIDIOC_QUERY_EXT_CTRL");
  if (Xioctl(fd, VIDIOC_QUERYMENU, &m) == -1) {
    if (errno == EINVAL) return info.Env().Null();
    throw ErrnoError(info.Env(), errno, "ioctl", "VIDIOC_QUERYMENU");
  }
  if (q.type == V4L2_CTRL_TYPE_INTEGER_MENU) {
    return Napi::Number::New(info.Env(), static_cast<double>(m.value));
  }
  const char* name = reinterpret_cast<const char*>(m.name);
  return Napi::String::New(info.Env(), std::string(name, strnlen(name, sizeof(m.name))));
}

bool IsIntegerLike(uint32_t type) {
  return type == V4L2_CTRL_TYPE_INTEGER || type == V4L2_CTRL_TYPE_BOOLEAN ||
         type == V4L2_CTRL_TYPE_MENU || type == V4L2_CTRL_TYPE_INTEGER_MENU ||
         type == V4L2_CTRL_TYPE_BUTTON || type == V4L2_CTRL_TYPE_BITMASK ||
         type == V4L2_CTRL_TYPE_INTEGER64;
}

// Runs G/S_EXT_CTRLS on one control, picking value or value64 by its type.
Napi::Value AccessControl(const Napi::CallbackInfo& info, bool set) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  uint32_t id = ArgU32(info, 1, "id");
  int64_t value = set ? ArgI64(info, 2, "value") : 0;
  v4l2_query_ext_ctrl q;
  if (!QueryExt(fd, id, &q)) throw ErrnoError(env, errno, "ioctl", "VIDIOC_QUERY_EXT_CTRL");
  if (!IsIntegerLike(q.type) || q.elems != 1) {
    throw Napi::TypeError::New(env, "Only integer, boolean, menu, bitmask, button and "
                                    "integer64 controls are supported");
  }
  bool wide = q.type == V4L2_CTRL_TYPE_INTEGER64;
  v4l2_ext_control c;
  std::memset(&c, 0, sizeof(c));
  c.id = id;
  if (wide) {
    c.value64 = value;
  } else {
    c.value = static_cast<__s32>(value);
  }
  v4l2_ext_controls cs;
  std::memset(&cs, 0, sizeof(cs));
  cs.which = V4L2_CTRL_WHICH_CUR_VAL;
  cs.count = 1;
  cs.controls = &c;
  if (set) {
    V4L2L_IOCTL_OR_THROW(env, fd, VIDIOC_S_EXT_CTRLS, &cs);
  } else {
    V4L2L_IOCTL_OR_THROW(env, fd, VIDIOC_G_EXT_CTRLS, &cs);
  }
  return Napi::Number::New(env, wide ? static_cast<double>(c.value64) : c.value);
}

Napi::Value GetControl(const Napi::CallbackInfo& info) { return AccessControl(info, false); }
Napi::Value SetControl(const Napi::CallbackInfo& info) { return AccessControl(info, true); }

}  // namespace

void InitControls(Napi::Env env, Napi::Object exports) {
  exports.Set("listControls", Napi::Function::New(env, ListControls, "listControls"));
  exports.Set("queryControl", Napi::Function::New(env, QueryControl, "queryControl"));
  exports.Set("queryMenu", Napi::Function::New(env, QueryMenu, "queryMenu"));
  exports.Set("getControl", Napi::Function::New(env, GetControl, "getControl"));
  exports.Set("setControl", Napi::Function::New(env, SetControl, "setControl"));
}

}  // namespace v4l2l

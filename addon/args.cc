// args.cc - argument checks shared by every exported function: a wrong
// argument throws a TypeError naming it, never reaches a syscall.
#include "common.h"

#include <cmath>
#include <limits>
#include <string>

namespace v4l2l {

namespace {

[[noreturn]] void Fail(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

double ArgInteger(const Napi::CallbackInfo& info, size_t i, const char* name,
                  double lo, double hi) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    Fail(info.Env(), std::string("Expected integer for ") + name);
  }
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v) || std::trunc(v) != v || v < lo || v > hi) {
    Fail(info.Env(), std::string("Expected integer in range for ") + name);
  }
  return v;
}

}  // namespace

void ArgCount(const Napi::CallbackInfo& info, size_t n) {
  if (info.Length() < n) {
    Fail(info.Env(), "Expected " + std::to_string(n) + " arguments but received " +
                         std::to_string(info.Length()));
  }
}

int ArgFd(const Napi::CallbackInfo& info, size_t i) {
  return static_cast<int>(
      ArgInteger(info, i, "fd", 0, std::numeric_limits<int32_t>::max()));
}

uint32_t ArgU32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return static_cast<uint32_t>(
      ArgInteger(info, i, name, 0, std::numeric_limits<uint32_t>::max()));
}

int32_t ArgI32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return static_cast<int32_t>(ArgInteger(info, i, name,
                                         std::numeric_limits<int32_t>::min(),
                                         std::numeric_limits<int32_t>::max()));
}

int64_t ArgI64(const Napi::CallbackInfo& info, size_t i, const char* name) {
  // Numbers are exact up to 2^53.
  return static_cast<int64_t>(
      ArgInteger(info, i, name, -9007199254740991.0, 9007199254740991.0));
}

bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsBoolean()) {
    Fail(info.Env(), std::string("Expected boolean for ") + name);
  }
  return info[i].As<Napi::Boolean>().Value();
}

Napi::Object ArgObject(const Napi::CallbackInfo& info, size_t i,
                       const char* name) {
  if (i >= info.Length() || !info[i].IsObject()) {
    Fail(info.Env(), std::string("Expected object for ") + name);
  }
  return info[i].As<Napi::Object>();
}

Napi::Function ArgFunction(const Napi::CallbackInfo& info, size_t i,
                           const char* name) {
  if (i >= info.Length() || !info[i].IsFunction()) {
    Fail(info.Env(), std::string("Expected function for ") + name);
  }
  return info[i].As<Napi::Function>();
}

Bytes ArgBytes(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i < info.Length()) {
    Napi::Value v = info[i];
    if (v.IsTypedArray()) {
      Napi::TypedArray ta = v.As<Napi::TypedArray>();
      Napi::ArrayBuffer ab = ta.ArrayBuffer();
      uint8_t* base = static_cast<uint8_t*>(ab.Data());
      return {base == nullptr ? nullptr : base + ta.ByteOffset(), ta.ByteLength()};
    }
    if (v.IsDataView()) {
      Napi::DataView dv = v.As<Napi::DataView>();
      uint8_t* base = static_cast<uint8_t*>(dv.ArrayBuffer().Data());
      return {base == nullptr ? nullptr : base + dv.ByteOffset(), dv.ByteLength()};
    }
    if (v.IsArrayBuffer()) {
      Napi::ArrayBuffer ab = v.As<Napi::ArrayBuffer>();
      return {static_cast<uint8_t*>(ab.Data()), ab.ByteLength()};
    }
  }
  Fail(info.Env(), std::string("Expected Buffer, TypedArray or ArrayBuffer for ") + name);
}

namespace {

Napi::Value Prop(Napi::Object obj, const char* key) { return obj.Get(key); }

double PropNumber(Napi::Object obj, const char* key, double lo, double hi) {
  Napi::Value v = Prop(obj, key);
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
  if (!std::isfinite(d) || std::trunc(d) != d || d < lo || d > hi) {
    Fail(obj.Env(), std::string("Expected integer in range for ") + key);
  }
  return d;
}

}  // namespace

uint32_t PropU32(Napi::Object obj, const char* key, uint32_t dflt) {
  if (Prop(obj, key).IsUndefined()) return dflt;
  return static_cast<uint32_t>(
      PropNumber(obj, key, 0, std::numeric_limits<uint32_t>::max()));
}

int32_t PropI32(Napi::Object obj, const char* key, int32_t dflt) {
  if (Prop(obj, key).IsUndefined()) return dflt;
  return static_cast<int32_t>(PropNumber(obj, key,
                                         std::numeric_limits<int32_t>::min(),
                                         std::numeric_limits<int32_t>::max()));
}

std::string PropString(Napi::Object obj, const char* key,
                       const std::string& dflt) {
  Napi::Value v = Prop(obj, key);
  if (v.IsUndefined()) return dflt;
  if (!v.IsString()) Fail(obj.Env(), std::string("Expected string for ") + key);
  return v.As<Napi::String>().Utf8Value();
}

}  // namespace v4l2l

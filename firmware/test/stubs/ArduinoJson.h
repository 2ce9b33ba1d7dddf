// Host stand-in for ArduinoJson 7, for the firmware's host tests only (the device uses the real
// library from platformio.ini). It offers exactly the API the firmware calls and reproduces the
// behaviour observed on ArduinoJson 7 that the parser relies on:
//   - deserializeJson() parses one value and ignores what follows it ("{...}junk" is Ok);
//   - any JSON value may be the root ("42" and "[1,2]" are Ok), so callers check is<JsonObject>();
//   - codes: EmptyInput (nothing but spaces), IncompleteInput (input ends inside a value),
//     InvalidInput (bad character, NaN), TooDeep (more than 10 nested arrays/objects);
//   - is<float/double>() is true for any number; is<int...>() only for whole numbers that fit;
//   - `v | 0` falls back to 0 for 42.5 because the integer default rejects fractions;
//   - is<JsonVariantConst>() is true for a present key, even when its value is null.
// Deliberate differences, none of which the tests depend on: decimals are rounded with strtod
// (ArduinoJson's own algorithm may differ in the last bit), unquoted keys and comments are refused,
// and NoMemory never happens.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#define ARDUINOJSON_USE_LONG_LONG 1
#define ARDUINOJSON_USE_DOUBLE 1
#define ARDUINOJSON_DEFAULT_NESTING_LIMIT 10

namespace stub_json {

struct Member;

struct Value {
  enum class Type { Null, Bool, Int, UInt, Float, String, Array, Object };
  Type type = Type::Null;
  bool b = false;
  int64_t i = 0;   // Int holds negative whole numbers
  uint64_t u = 0;  // UInt holds the others, as ArduinoJson does
  double f = 0;
  std::string s;
  std::vector<Value> items;
  std::vector<Member> members;

  bool isNumber() const { return type == Type::Int || type == Type::UInt || type == Type::Float; }
  double toDouble() const {
    switch (type) {
      case Type::Int: return static_cast<double>(i);
      case Type::UInt: return static_cast<double>(u);
      case Type::Float: return f;
      case Type::Bool: return b ? 1 : 0;
      default: return 0;
    }
  }
};

struct Member {
  std::string key;
  Value value;
};

template <typename T>
bool fits(const Value& v) {
  if (v.type == Value::Type::Int) {
    return std::is_signed<T>::value && v.i >= static_cast<int64_t>(std::numeric_limits<T>::min());
  }
  if (v.type == Value::Type::UInt) return v.u <= static_cast<uint64_t>(std::numeric_limits<T>::max());
  return false;
}

}  // namespace stub_json

// Tag types: the firmware only asks whether the root is an object; it never edits documents.
class JsonObject {};
class JsonArray {};
class JsonObjectConst {};
class JsonArrayConst {};

class JsonVariantConst;

namespace stub_json {

template <typename T, typename Enable = void>
struct Conv;

template <>
struct Conv<bool> {
  static bool check(const Value* v) { return v != nullptr && v->type == Value::Type::Bool; }
  static bool as(const Value* v) {
    if (v == nullptr) return false;
    if (v->type == Value::Type::Bool) return v->b;
    return v->isNumber() && v->toDouble() != 0;
  }
};

template <typename T>
struct Conv<T, typename std::enable_if<std::is_integral<T>::value && !std::is_same<T, bool>::value>::type> {
  static bool check(const Value* v) { return v != nullptr && fits<T>(*v); }
  static T as(const Value* v) {
    if (v == nullptr) return 0;
    if (v->type == Value::Type::Int || v->type == Value::Type::UInt) {
      if (!fits<T>(*v)) return 0;  // ArduinoJson answers 0 rather than wrapping
      return v->type == Value::Type::Int ? static_cast<T>(v->i) : static_cast<T>(v->u);
    }
    if (v->type == Value::Type::Float) {
      const double x = v->f;
      if (!(x >= static_cast<double>(std::numeric_limits<T>::min()) &&
            x <= static_cast<double>(std::numeric_limits<T>::max()))) {
        return 0;
      }
      return static_cast<T>(x);
    }
    if (v->type == Value::Type::Bool) return v->b ? 1 : 0;
    return 0;
  }
};

template <typename T>
struct Conv<T, typename std::enable_if<std::is_floating_point<T>::value>::type> {
  static bool check(const Value* v) { return v != nullptr && v->isNumber(); }
  static T as(const Value* v) { return v == nullptr ? 0 : static_cast<T>(v->toDouble()); }
};

template <>
struct Conv<const char*> {
  static bool check(const Value* v) { return v != nullptr && v->type == Value::Type::String; }
  static const char* as(const Value* v) { return check(v) ? v->s.c_str() : nullptr; }
};

template <>
struct Conv<JsonObjectConst> {
  static bool check(const Value* v) { return v != nullptr && v->type == Value::Type::Object; }
};

template <>
struct Conv<JsonArrayConst> {
  static bool check(const Value* v) { return v != nullptr && v->type == Value::Type::Array; }
};

// Through a read-only reference ArduinoJson never reports the writable types.
template <>
struct Conv<JsonObject> {
  static bool check(const Value*) { return false; }
};

template <>
struct Conv<JsonArray> {
  static bool check(const Value*) { return false; }
};

}  // namespace stub_json

class JsonVariantConst {
 public:
  JsonVariantConst() : data_(nullptr) {}
  explicit JsonVariantConst(const stub_json::Value* data) : data_(data) {}

  bool isNull() const { return data_ == nullptr || data_->type == stub_json::Value::Type::Null; }
  bool isUnbound() const { return data_ == nullptr; }

  template <typename T>
  bool is() const {
    return checkAs(static_cast<T*>(nullptr));  // overload picks JsonVariantConst
  }

  template <typename T>
  T as() const {
    return stub_json::Conv<T>::as(data_);
  }

  JsonVariantConst operator[](const char* key) const {
    if (data_ == nullptr || data_->type != stub_json::Value::Type::Object) return JsonVariantConst();
    for (const stub_json::Member& m : data_->members) {
      if (m.key == key) return JsonVariantConst(&m.value);
    }
    return JsonVariantConst();
  }

  // `v | default`: the value when it has the default's type, else the default.
  template <typename T>
  T operator|(const T& fallback) const {
    return is<T>() ? as<T>() : fallback;
  }
  const char* operator|(const char* fallback) const { return is<const char*>() ? as<const char*>() : fallback; }

 private:
  template <typename T>
  bool checkAs(T*) const {
    return stub_json::Conv<T>::check(data_);
  }
  bool checkAs(JsonVariantConst*) const { return data_ != nullptr; }

  const stub_json::Value* data_;
};

class DeserializationError {
 public:
  enum Code { Ok, EmptyInput, IncompleteInput, InvalidInput, NoMemory, TooDeep };

  DeserializationError() : code_(Ok) {}
  DeserializationError(Code c) : code_(c) {}  // implicit, as in ArduinoJson

  Code code() const { return code_; }
  const char* c_str() const {
    static const char* const names[] = {"Ok", "EmptyInput", "IncompleteInput", "InvalidInput", "NoMemory", "TooDeep"};
    return names[code_];
  }
  explicit operator bool() const { return code_ != Ok; }
  friend bool operator==(const DeserializationError& a, Code b) { return a.code_ == b; }
  friend bool operator!=(const DeserializationError& a, Code b) { return a.code_ != b; }

 private:
  Code code_;
};

class JsonDocument;
DeserializationError deserializeJson(JsonDocument& doc, const char* input, size_t inputSize);

class JsonDocument {
 public:
  // Through a writable document ArduinoJson does report JsonObject/JsonArray.
  template <typename T>
  bool is() {
    if (std::is_same<T, JsonObject>::value) return root_.type == stub_json::Value::Type::Object;
    if (std::is_same<T, JsonArray>::value) return root_.type == stub_json::Value::Type::Array;
    return JsonVariantConst(&root_).is<T>();
  }
  template <typename T>
  bool is() const {
    return JsonVariantConst(&root_).is<T>();
  }
  template <typename T>
  T as() const {
    return JsonVariantConst(&root_).as<T>();
  }
  JsonVariantConst operator[](const char* key) const { return JsonVariantConst(&root_)[key]; }
  operator JsonVariantConst() const { return JsonVariantConst(&root_); }
  void clear() { root_ = stub_json::Value(); }

 private:
  friend DeserializationError deserializeJson(JsonDocument&, const char*, size_t);
  stub_json::Value root_;
};

namespace stub_json {

class Parser {
 public:
  Parser(const char* s, size_t n) : p_(s), end_(s == nullptr ? s : s + n) {}

  DeserializationError::Code parseRoot(Value& out) {
    skipSpaces();
    if (atEnd()) return DeserializationError::EmptyInput;
    return parseValue(out, ARDUINOJSON_DEFAULT_NESTING_LIMIT);
  }

 private:
  using Code = DeserializationError::Code;

  // A NUL byte ends the input, as it does for ArduinoJson's char readers.
  bool atEnd() const { return p_ == nullptr || p_ >= end_ || *p_ == '\0'; }
  char cur() const { return atEnd() ? '\0' : *p_; }

  void skipSpaces() {
    while (!atEnd() && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  Code parseValue(Value& out, int nesting) {
    switch (cur()) {
      case '{': return parseObject(out, nesting);
      case '[': return parseArray(out, nesting);
      case '"':
      case '\'':
        out.type = Value::Type::String;
        return parseString(out.s);
      case 't': return parseLiteral("true", out, Value::Type::Bool, true);
      case 'f': return parseLiteral("false", out, Value::Type::Bool, false);
      case 'n': return parseLiteral("null", out, Value::Type::Null, false);
      case '\0': return DeserializationError::IncompleteInput;
      default:
        if ((cur() >= '0' && cur() <= '9') || cur() == '-' || cur() == '+' || cur() == '.') return parseNumber(out);
        return DeserializationError::InvalidInput;
    }
  }

  Code parseLiteral(const char* word, Value& out, Value::Type type, bool b) {
    for (const char* w = word; *w != '\0'; ++w, ++p_) {
      if (atEnd()) return DeserializationError::IncompleteInput;
      if (*p_ != *w) return DeserializationError::InvalidInput;
    }
    out.type = type;
    out.b = b;
    return DeserializationError::Ok;
  }

  Code parseObject(Value& out, int nesting) {
    if (nesting <= 0) return DeserializationError::TooDeep;
    ++p_;
    out.type = Value::Type::Object;
    skipSpaces();
    if (atEnd()) return DeserializationError::IncompleteInput;
    if (cur() == '}') {
      ++p_;
      return DeserializationError::Ok;
    }
    for (;;) {
      if (cur() != '"' && cur() != '\'') return DeserializationError::InvalidInput;
      std::string key;
      Code c = parseString(key);
      if (c != DeserializationError::Ok) return c;
      skipSpaces();
      if (atEnd()) return DeserializationError::IncompleteInput;
      if (cur() != ':') return DeserializationError::InvalidInput;
      ++p_;
      skipSpaces();
      Value v;
      c = parseValue(v, nesting - 1);
      if (c != DeserializationError::Ok) return c;
      bool replaced = false;  // the last of duplicate keys wins
      for (Member& m : out.members) {
        if (m.key == key) {
          m.value = std::move(v);
          replaced = true;
          break;
        }
      }
      if (!replaced) out.members.push_back(Member{std::move(key), std::move(v)});
      skipSpaces();
      if (atEnd()) return DeserializationError::IncompleteInput;
      if (cur() == '}') {
        ++p_;
        return DeserializationError::Ok;
      }
      if (cur() != ',') return DeserializationError::InvalidInput;
      ++p_;
      skipSpaces();
      if (atEnd()) return DeserializationError::IncompleteInput;
    }
  }

  Code parseArray(Value& out, int nesting) {
    if (nesting <= 0) return DeserializationError::TooDeep;
    ++p_;
    out.type = Value::Type::Array;
    skipSpaces();
    if (atEnd()) return DeserializationError::IncompleteInput;
    if (cur() == ']') {
      ++p_;
      return DeserializationError::Ok;
    }
    for (;;) {
      Value v;
      Code c = parseValue(v, nesting - 1);
      if (c != DeserializationError::Ok) return c;
      out.items.push_back(std::move(v));
      skipSpaces();
      if (atEnd()) return DeserializationError::IncompleteInput;
      if (cur() == ']') {
        ++p_;
        return DeserializationError::Ok;
      }
      if (cur() != ',') return DeserializationError::InvalidInput;
      ++p_;
      skipSpaces();
    }
  }

  static int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  Code parseHex4(uint32_t& out) {
    out = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      if (atEnd()) return DeserializationError::IncompleteInput;
      const int d = hexDigit(*p_);
      if (d < 0) return DeserializationError::InvalidInput;
      out = out * 16 + static_cast<uint32_t>(d);
    }
    return DeserializationError::Ok;
  }

  static void appendUtf8(std::string& s, uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Code parseString(std::string& out) {
    const char quote = *p_++;
    for (;;) {
      if (atEnd()) return DeserializationError::IncompleteInput;
      const char c = *p_++;
      if (c == quote) return DeserializationError::Ok;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (atEnd()) return DeserializationError::IncompleteInput;
      const char e = *p_++;
      switch (e) {
        case '"': out += '"'; break;
        case '\'': out += '\''; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          Code c2 = parseHex4(cp);
          if (c2 != DeserializationError::Ok) return c2;
          if (cp >= 0xD800 && cp < 0xDC00 && end_ - p_ >= 2 && p_[0] == '\\' && p_[1] == 'u') {
            p_ += 2;
            uint32_t low = 0;
            c2 = parseHex4(low);
            if (c2 != DeserializationError::Ok) return c2;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          appendUtf8(out, cp);
          break;
        }
        default: return DeserializationError::InvalidInput;
      }
    }
  }

  Code parseNumber(Value& out) {
    // Like ArduinoJson: gather the characters a number may contain, then decide what they are.
    std::string text;
    while (!atEnd() && ((*p_ >= '0' && *p_ <= '9') || *p_ == '-' || *p_ == '+' || *p_ == '.' || *p_ == 'e' ||
                        *p_ == 'E')) {
      text += *p_++;
    }
    const char* s = text.c_str();
    const bool negative = *s == '-';
    const char* digitsStart = (*s == '-' || *s == '+') ? s + 1 : s;
    bool whole = *digitsStart != '\0';
    for (const char* q = digitsStart; *q != '\0'; ++q) {
      if (*q < '0' || *q > '9') whole = false;
    }
    if (whole) {
      errno = 0;
      if (negative) {
        const long long v = std::strtoll(s, nullptr, 10);
        if (errno == 0) {
          out.type = v < 0 ? Value::Type::Int : Value::Type::UInt;
          out.i = v;
          out.u = v < 0 ? 0 : static_cast<uint64_t>(v);
          return DeserializationError::Ok;
        }
      } else {
        const unsigned long long v = std::strtoull(digitsStart, nullptr, 10);
        if (errno == 0) {
          out.type = Value::Type::UInt;
          out.u = v;
          return DeserializationError::Ok;
        }
      }
      // Too many digits for 64 bits: ArduinoJson keeps it as a float.
    }
    char* endp = nullptr;
    const double d = std::strtod(s, &endp);
    if (endp == s || *endp != '\0') return DeserializationError::InvalidInput;
    out.type = Value::Type::Float;
    out.f = d;  // 1e999 becomes infinity, as in ArduinoJson
    return DeserializationError::Ok;
  }

  const char* p_;
  const char* end_;
};

}  // namespace stub_json

inline DeserializationError deserializeJson(JsonDocument& doc, const char* input, size_t inputSize) {
  doc.root_ = stub_json::Value();
  stub_json::Parser parser(input, inputSize);
  const DeserializationError::Code code = parser.parseRoot(doc.root_);
  if (code != DeserializationError::Ok) doc.root_ = stub_json::Value();
  return code;
}

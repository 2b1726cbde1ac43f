//===- Json.h - A small strict JSON reader --------------------------------===//
//
// Enough JSON for file headers and configs (RFC 8259: objects, arrays,
// strings with escapes, numbers, true/false/null), strict, with errors that
// give the byte offset. Numbers keep their text so that integers beyond 2^53
// are not rounded.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_IO_JSON_H
#define CLIP_RUNTIME_IO_JSON_H

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace clip::io {

class JsonError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct JsonValue {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text; // the string, or the number's spelling
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object; // in file order

  bool isObject() const { return kind == Kind::Object; }
  bool isArray() const { return kind == Kind::Array; }
  bool isString() const { return kind == Kind::String; }
  bool isNumber() const { return kind == Kind::Number; }
  /// The member called `key`, or nullptr.
  const JsonValue *get(std::string_view key) const;
  /// The number as an integer; throws JsonError if it is not one.
  long long asInteger() const;
};

/// Parses exactly one JSON value (surrounding whitespace allowed); duplicate
/// object keys are an error.
JsonValue parseJson(std::string_view text);

} // namespace clip::io

#endif // CLIP_RUNTIME_IO_JSON_H

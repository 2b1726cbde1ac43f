//===- Json.cpp - A small strict JSON reader ------------------------------===//
#include "runtime/io/Json.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <set>

namespace clip::io {

const JsonValue *JsonValue::get(std::string_view key) const {
  for (const auto &[name, value] : object)
    if (name == key)
      return &value;
  return nullptr;
}

long long JsonValue::asInteger() const {
  if (kind != Kind::Number || text.find_first_of(".eE") != std::string::npos)
    throw JsonError(fmt::format("expected an integer, found '{}'", text));
  errno = 0;
  char *end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno == ERANGE || *end != '\0')
    throw JsonError(fmt::format("integer '{}' is out of range", text));
  return v;
}

namespace {

class Parser {
public:
  explicit Parser(std::string_view text) : text(text) {}

  JsonValue parseDocument() {
    JsonValue v = parseValue(0);
    skipSpace();
    if (pos != text.size())
      fail("unexpected text after the JSON value");
    return v;
  }

private:
  [[noreturn]] void fail(const std::string &what) const {
    throw JsonError(fmt::format("JSON error at byte {}: {}", pos, what));
  }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }
  bool consume(char c) {
    skipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!consume(c))
      fail(fmt::format("expected '{}'", c));
  }
  bool literal(std::string_view word) {
    if (text.substr(pos, word.size()) != word)
      return false;
    pos += word.size();
    return true;
  }

  JsonValue parseValue(int depth) {
    // Deep nesting is not JSON a header or config needs; refuse it rather
    // than overflow the stack on hostile input.
    if (depth > 64)
      fail("nesting deeper than 64 levels");
    skipSpace();
    if (pos >= text.size())
      fail("unexpected end of input");
    JsonValue v;
    const char c = text[pos];
    if (c == '{') {
      ++pos;
      v.kind = JsonValue::Kind::Object;
      std::set<std::string> seen;
      if (consume('}'))
        return v;
      do {
        skipSpace();
        if (pos >= text.size() || text[pos] != '"')
          fail("expected a string key");
        std::string key = parseString();
        if (!seen.insert(key).second)
          fail(fmt::format("duplicate key \"{}\"", key));
        expect(':');
        v.object.emplace_back(std::move(key), parseValue(depth + 1));
      } while (consume(','));
      expect('}');
    } else if (c == '[') {
      ++pos;
      v.kind = JsonValue::Kind::Array;
      if (consume(']'))
        return v;
      do
        v.array.push_back(parseValue(depth + 1));
      while (consume(','));
      expect(']');
    } else if (c == '"') {
      v.kind = JsonValue::Kind::String;
      v.text = parseString();
    } else if (literal("true")) {
      v.kind = JsonValue::Kind::Bool;
      v.boolean = true;
    } else if (literal("false")) {
      v.kind = JsonValue::Kind::Bool;
    } else if (literal("null")) {
      v.kind = JsonValue::Kind::Null;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.kind = JsonValue::Kind::Number;
      v.text = parseNumber();
    } else {
      fail(fmt::format("unexpected character '{}'", c));
    }
    return v;
  }

  std::string parseNumber() {
    const size_t start = pos;
    auto digits = [&] {
      const size_t from = pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
        ++pos;
      if (pos == from)
        fail("malformed number");
    };
    if (text[pos] == '-')
      ++pos;
    if (pos < text.size() && text[pos] == '0')
      ++pos;
    else
      digits();
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      digits();
    }
    if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
      ++pos;
      if (pos < text.size() && (text[pos] == '+' || text[pos] == '-'))
        ++pos;
      digits();
    }
    return std::string(text.substr(start, pos - start));
  }

  static void appendUtf8(std::string &out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  unsigned parseHex4() {
    if (pos + 4 > text.size())
      fail("truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text[pos++];
      v <<= 4;
      if (h >= '0' && h <= '9')
        v |= h - '0';
      else if (h >= 'a' && h <= 'f')
        v |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F')
        v |= h - 'A' + 10;
      else
        fail("bad hex digit in \\u escape");
    }
    return v;
  }

  std::string parseString() {
    ++pos; // opening quote
    std::string out;
    while (true) {
      if (pos >= text.size())
        fail("unterminated string");
      const char c = text[pos++];
      if (c == '"')
        return out;
      if (static_cast<unsigned char>(c) < 0x20)
        fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos >= text.size())
        fail("unterminated escape");
      switch (const char e = text[pos++]) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        unsigned cp = parseHex4();
        if (cp >= 0xD800 && cp < 0xDC00) {
          if (!literal("\\u"))
            fail("unpaired surrogate");
          const unsigned low = parseHex4();
          if (low < 0xDC00 || low >= 0xE000)
            fail("unpaired surrogate");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp < 0xE000) {
          fail("unpaired surrogate");
        }
        appendUtf8(out, cp);
        break;
      }
      default:
        fail(fmt::format("unknown escape '\\{}'", e));
      }
    }
  }

  std::string_view text;
  size_t pos = 0;
};

} // namespace

JsonValue parseJson(std::string_view text) {
  return Parser(text).parseDocument();
}

} // namespace clip::io

//===- CsvDataset.cpp - RFC 4180 parsing and the CSV sample source --------===//
#include "runtime/data/CsvDataset.h"

#include <fmt/format.h>

#include <unordered_map>

namespace clip::data {

namespace {

std::string describeSeparator(char c) {
  if (c == '\t')
    return "tab";
  if (c == ',')
    return "comma";
  return fmt::format("'{}'", c);
}

/// One image and every caption the file gives it: rows that name the same
/// image (Flickr30k and COCO list 5 captions an image) are one sample, in
/// the order the image first appears.
class CsvSource final : public SampleSource {
public:
  struct Item {
    std::string imagePath; // resolved
    std::vector<std::string> captions;
    int64_t line; // of the image's first row
  };

  CsvSource(std::string path, std::vector<Item> items)
      : path_(std::move(path)), items_(std::move(items)) {}

  size_t size() const override { return items_.size(); }

  std::string where(size_t index) const override {
    if (index >= items_.size())
      return fmt::format("{}: sample {}", path_, index);
    return fmt::format("{} line {}", path_, items_[index].line);
  }

  std::vector<std::string> captionsOf(size_t index) const override {
    return item(index).captions;
  }

  StoredSample stored(size_t index) const override {
    const Item &row = item(index);
    StoredSample out;
    out.where = fmt::format("{} line {} ({})", path_, row.line, row.imagePath);
    try {
      out.image = readFileBytes(row.imagePath);
    } catch (const DataError &error) {
      throw DataError(
          fmt::format("{} line {}: {}", path_, row.line, error.what()));
    }
    const size_t dot = row.imagePath.find_last_of('.');
    const size_t slash = row.imagePath.find_last_of('/');
    if (dot != std::string::npos && (slash == std::string::npos || dot > slash))
      out.imageExt = row.imagePath.substr(dot + 1);
    out.name = row.imagePath;
    out.captions = row.captions;
    return out;
  }

  Sample get(size_t index) const override {
    const Item &row = item(index);
    Sample sample;
    sample.where =
        fmt::format("{} line {} ({})", path_, row.line, row.imagePath);
    std::vector<uint8_t> bytes;
    try {
      bytes = readFileBytes(row.imagePath);
    } catch (const DataError &error) {
      throw DataError(
          fmt::format("{} line {}: {}", path_, row.line, error.what()));
    }
    sample.image = decodeImage(
        bytes, fmt::format("{} line {}: {}", path_, row.line, row.imagePath));
    sample.caption = row.captions.front();
    if (row.captions.size() > 1)
      sample.captions = row.captions;
    return sample;
  }

private:
  const Item &item(size_t index) const {
    if (index >= items_.size())
      throw DataError(fmt::format("{}: sample {} out of range (the file has "
                                  "{} images)",
                                  path_, index, items_.size()));
    return items_[index];
  }

  std::string path_;
  std::vector<Item> items_;
};

} // namespace

std::vector<CsvRecord> parseCsv(const std::string &text, char separator,
                                const std::string &origin) {
  if (separator == '"' || separator == '\n' || separator == '\r')
    throw DataError(fmt::format("{}: {} cannot separate fields", origin,
                                describeSeparator(separator)));
  std::vector<CsvRecord> records;
  size_t i = 0;
  const size_t n = text.size();
  if (n >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0)
    i = 3; // UTF-8 byte order mark
  int64_t line = 1;
  auto atLineEnd = [&](size_t at) {
    return at < n && (text[at] == '\n' ||
                      (text[at] == '\r' && at + 1 < n && text[at + 1] == '\n'));
  };
  auto skipLineEnd = [&](size_t at) { return at + (text[at] == '\r' ? 2 : 1); };

  while (i < n) {
    if (atLineEnd(i)) { // blank line
      i = skipLineEnd(i);
      ++line;
      continue;
    }
    CsvRecord record;
    record.line = line;
    for (;;) { // one field per iteration
      std::string field;
      if (i < n && text[i] == '"') {
        const int64_t openLine = line;
        ++i;
        for (;;) {
          if (i >= n)
            throw DataError(fmt::format(
                "{} line {}: unterminated quoted field {} (its quote runs to "
                "the end of the file)",
                origin, openLine, record.fields.size() + 1));
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (c == '\n')
            ++line;
          field += c;
          ++i;
        }
        if (i < n && text[i] != separator && !atLineEnd(i))
          throw DataError(fmt::format(
              "{} line {}: text after the closing quote of field {} (a "
              "quote inside a quoted field is written \"\")",
              origin, line, record.fields.size() + 1));
      } else {
        while (i < n && text[i] != separator && !atLineEnd(i))
          field += text[i++];
      }
      record.fields.push_back(std::move(field));
      if (i < n && text[i] == separator) {
        ++i;
        continue;
      }
      break; // line end or end of text
    }
    if (i < n) {
      i = skipLineEnd(i);
      ++line;
    }
    records.push_back(std::move(record));
  }
  return records;
}

std::unique_ptr<SampleSource> openCsv(const std::string &path,
                                      const std::string &imageKey,
                                      const std::string &captionKey,
                                      char separator) {
  const std::vector<uint8_t> bytes = readFileBytes(path);
  const std::vector<CsvRecord> records =
      parseCsv(std::string(bytes.begin(), bytes.end()), separator, path);
  if (records.empty())
    throw DataError(fmt::format("{}: empty CSV file (a header row naming the "
                                "columns '{}' and '{}' is needed)",
                                path, imageKey, captionKey));
  const CsvRecord &header = records.front();
  auto column = [&](const std::string &key, const char *flag) {
    for (size_t c = 0; c < header.fields.size(); ++c)
      if (header.fields[c] == key)
        return c;
    std::string columns;
    for (const std::string &f : header.fields)
      columns += fmt::format("{}'{}'", columns.empty() ? "" : ", ", f);
    std::string hint;
    if (header.fields.size() == 1)
      for (char other : {',', '\t', ';', '|'})
        if (other != separator &&
            header.fields[0].find(other) != std::string::npos) {
          hint = fmt::format("; the header has one field: is the separator "
                             "{}, not {}?",
                             describeSeparator(other),
                             describeSeparator(separator));
          break;
        }
    throw DataError(fmt::format("{} line {}: no column '{}' ({}) in the "
                                "header; its columns are {}{}",
                                path, header.line, key, flag, columns, hint));
  };
  const size_t imageColumn = column(imageKey, "--csv-img-key");
  const size_t captionColumn = column(captionKey, "--csv-caption-key");

  std::string directory;
  if (const size_t slash = path.find_last_of('/'); slash != std::string::npos)
    directory = path.substr(0, slash + 1);
  std::vector<CsvSource::Item> items;
  std::unordered_map<std::string, size_t> itemOf; // image path -> item
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord &record = records[r];
    if (record.fields.size() != header.fields.size())
      throw DataError(fmt::format("{} line {}: {} fields, the header has {} "
                                  "(separator: {})",
                                  path, record.line, record.fields.size(),
                                  header.fields.size(),
                                  describeSeparator(separator)));
    const std::string &image = record.fields[imageColumn];
    if (image.empty())
      throw DataError(fmt::format("{} line {}: empty '{}' (image path)", path,
                                  record.line, imageKey));
    const std::string resolved =
        image.front() == '/' ? image : directory + image;
    auto [it, fresh] = itemOf.emplace(resolved, items.size());
    if (fresh)
      items.push_back({resolved, {}, record.line});
    items[it->second].captions.push_back(record.fields[captionColumn]);
  }
  return std::make_unique<CsvSource>(path, std::move(items));
}

} // namespace clip::data

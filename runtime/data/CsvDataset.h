//===- CsvDataset.h - Image-caption pairs listed in a CSV file ------------===//
//
// As OpenCLIP's CsvDataset (--csv-img-key, --csv-caption-key,
// --csv-separator; the separator defaults to a tab, as there): a header row
// names the columns; each later row gives an image path and a caption.
// Quoting follows RFC 4180 (a field that starts with a double quote runs to
// the matching quote, "" is a quote, separators and line breaks inside are
// data); a quote inside an unquoted field is kept as it is (as pandas does).
// CRLF and LF line ends, a UTF-8 byte order mark and blank lines are
// accepted. Image paths are relative to the CSV file's directory unless
// absolute. The whole file is parsed on open: a row with the wrong number of
// fields, an unterminated quote, text after a closing quote, a missing
// column or an empty image path is a DataError with the line number. Rows
// that name the same image are one sample with several captions (Flickr30k
// and COCO give 5 an image, one a row): training picks one per step
// (Loader), evaluation uses all. Images are read and decoded on get().
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DATA_CSVDATASET_H
#define CLIP_RUNTIME_DATA_CSVDATASET_H

#include "runtime/data/Sample.h"

#include <memory>
#include <string>
#include <vector>

namespace clip::data {

/// One parsed record: its fields and the line it starts on (1-based).
struct CsvRecord {
  std::vector<std::string> fields;
  int64_t line = 0;
};

/// Parses CSV text into records (the header included); `origin` names the
/// file in errors.
std::vector<CsvRecord> parseCsv(const std::string &text, char separator,
                                const std::string &origin);

std::unique_ptr<SampleSource> openCsv(const std::string &path,
                                      const std::string &imageKey = "filepath",
                                      const std::string &captionKey = "title",
                                      char separator = '\t');

} // namespace clip::data

#endif // CLIP_RUNTIME_DATA_CSVDATASET_H

//===- DataError.h - The one error type of the data pipeline --------------===//
//
// Every failure of the data side (a file that cannot be read, a corrupt or
// truncated image, a malformed CSV row, a truncated tar member, a bad IDX
// header) is a DataError whose message starts with where it happened: the
// file, and the row, member, sample or field and offset when there is one.
//
// Runtime code: plain C++ and fmt, no MLIR or LLVM.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DATA_DATAERROR_H
#define CLIP_RUNTIME_DATA_DATAERROR_H

#include <stdexcept>

namespace clip::data {

class DataError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace clip::data

#endif // CLIP_RUNTIME_DATA_DATAERROR_H

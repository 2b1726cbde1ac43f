//===- Sample.cpp - SampleSource's out-of-line members --------------------===//
#include "runtime/data/Sample.h"

#include "runtime/data/DataError.h"

#include <string>

namespace clip::data {

SampleSource::~SampleSource() = default;

std::string SampleSource::where(size_t index) const {
  return "sample " + std::to_string(index);
}

std::vector<std::string> SampleSource::captionsOf(size_t index) const {
  Sample sample = get(index);
  if (sample.captions.empty())
    return {sample.caption};
  return sample.captions;
}

StoredSample SampleSource::stored(size_t index) const {
  throw DataError(where(index) + ": this source keeps no image files to copy");
}

} // namespace clip::data

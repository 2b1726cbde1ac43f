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

uint64_t splitMix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

namespace {

class Subset final : public SampleSource {
public:
  Subset(const SampleSource &base, std::vector<size_t> indices)
      : base(base), indices(std::move(indices)) {}
  size_t size() const override { return indices.size(); }
  Sample get(size_t i) const override { return base.get(at(i)); }
  std::string where(size_t i) const override { return base.where(at(i)); }
  std::vector<std::string> captionsOf(size_t i) const override {
    return base.captionsOf(at(i));
  }
  StoredSample stored(size_t i) const override { return base.stored(at(i)); }

private:
  size_t at(size_t i) const {
    if (i >= indices.size())
      throw DataError("sample " + std::to_string(i) + " out of range (" +
                      std::to_string(indices.size()) + " in the split)");
    return indices[i];
  }
  const SampleSource &base;
  std::vector<size_t> indices;
};

} // namespace

std::unique_ptr<SampleSource> subsetOf(const SampleSource &base,
                                       std::vector<size_t> indices) {
  return std::make_unique<Subset>(base, std::move(indices));
}

void splitHeldOut(size_t size, double fraction, std::vector<size_t> &kept,
                  std::vector<size_t> &heldOut) {
  if (!(fraction > 0 && fraction < 1))
    throw DataError("the held-out fraction must lie in (0, 1), got " +
                    std::to_string(fraction));
  kept.clear();
  heldOut.clear();
  for (size_t i = 0; i < size; ++i) {
    const uint64_t z = splitMix(static_cast<uint64_t>(i));
    (static_cast<double>(z >> 11) * 0x1.0p-53 < fraction ? heldOut : kept)
        .push_back(i);
  }
  if (kept.empty() || heldOut.empty())
    throw DataError("a held-out fraction of " + std::to_string(fraction) +
                    " of " + std::to_string(size) + " samples leaves " +
                    (kept.empty() ? "nothing to train on" : "no sample held out"));
}

} // namespace clip::data

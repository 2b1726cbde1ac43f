//===- ShapeRulesTest.cpp - Shape arithmetic of the clip ops --------------===//
#include "clip/IR/ShapeRules.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::clip;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

SmallVector<int64_t> broadcast(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  SmallVector<int64_t> out;
  auto mismatch = broadcastShapes(a, b, out);
  EXPECT_FALSE(mismatch.has_value());
  return out;
}

TEST(BroadcastShapes, NumpyRules) {
  EXPECT_EQ(broadcast({2, 3}, {2, 3}), (SmallVector<int64_t>{2, 3}));
  EXPECT_EQ(broadcast({2, 1}, {1, 3}), (SmallVector<int64_t>{2, 3}));
  EXPECT_EQ(broadcast({8, 1, 6, 1}, {7, 1, 5}),
            (SmallVector<int64_t>{8, 7, 6, 5}));
  EXPECT_EQ(broadcast({}, {4, 5}), (SmallVector<int64_t>{4, 5}));
  EXPECT_EQ(broadcast({5}, {}), (SmallVector<int64_t>{5}));
}

TEST(BroadcastShapes, DynamicBatch) {
  // `?` is the batch: with 1 it stays `?`, with a size it takes the size.
  EXPECT_EQ(broadcast({kDyn, 4}, {1, 4}), (SmallVector<int64_t>{kDyn, 4}));
  EXPECT_EQ(broadcast({kDyn, 4}, {4}), (SmallVector<int64_t>{kDyn, 4}));
  EXPECT_EQ(broadcast({kDyn, 4}, {kDyn, 4}), (SmallVector<int64_t>{kDyn, 4}));
  EXPECT_EQ(broadcast({kDyn, 1}, {3, 4}), (SmallVector<int64_t>{3, 4}));
}

TEST(BroadcastShapes, MismatchNamesBothDims) {
  SmallVector<int64_t> out;
  auto mismatch = broadcastShapes({2, 4}, {5}, out);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_EQ(mismatch->lhsDim, 1);
  EXPECT_EQ(mismatch->rhsDim, 0);
  EXPECT_EQ(mismatch->lhsSize, 4);
  EXPECT_EQ(mismatch->rhsSize, 5);

  mismatch = broadcastShapes({3, 4}, {7, 2, 1}, out);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_EQ(mismatch->lhsDim, 0);
  EXPECT_EQ(mismatch->rhsDim, 1);
}

TEST(IsBroadcastableTo, TrailingAlignment) {
  int64_t bad = 0;
  EXPECT_TRUE(isBroadcastableTo({768}, {kDyn, 1, 768}, bad));
  EXPECT_TRUE(isBroadcastableTo({1, 768}, {kDyn, 1, 768}, bad));
  EXPECT_TRUE(isBroadcastableTo({}, {2, 3}, bad));
  EXPECT_FALSE(isBroadcastableTo({3, 768}, {kDyn, 1, 768}, bad));
  EXPECT_EQ(bad, 0);
  EXPECT_FALSE(isBroadcastableTo({2, 3, 4}, {3, 4}, bad));
  EXPECT_EQ(bad, -1);
  // A static size never broadcasts to the (unknown) batch.
  EXPECT_FALSE(isBroadcastableTo({2, 4}, {kDyn, 4}, bad));
  EXPECT_EQ(bad, 0);
}

/// Counts window placements one by one: the definition the closed form in
/// windowOutputSize must agree with.
int64_t countWindows(int64_t in, int64_t kernel, int64_t stride,
                     int64_t padding, int64_t dilation) {
  int64_t count = 0;
  for (int64_t start = -padding;; start += stride) {
    int64_t last = start + dilation * (kernel - 1);
    if (last > in - 1 + padding)
      break;
    ++count;
  }
  return count;
}

TEST(WindowOutputSize, MatchesEnumeration) {
  for (int64_t in = 1; in <= 20; ++in)
    for (int64_t kernel = 1; kernel <= 5; ++kernel)
      for (int64_t stride = 1; stride <= 4; ++stride)
        for (int64_t padding = 0; padding <= 2; ++padding)
          for (int64_t dilation = 1; dilation <= 3; ++dilation)
            EXPECT_EQ(windowOutputSize(in, kernel, stride, padding, dilation),
                      countWindows(in, kernel, stride, padding, dilation))
                << "in=" << in << " k=" << kernel << " s=" << stride
                << " p=" << padding << " d=" << dilation;
}

TEST(WindowOutputSize, KnownClipShapes) {
  EXPECT_EQ(windowOutputSize(224, 16, 16, 0), 14); // ViT-B/16 patches
  EXPECT_EQ(windowOutputSize(224, 32, 32, 0), 7);  // ViT-B/32 patches
  EXPECT_EQ(windowOutputSize(224, 3, 2, 1), 112);  // RN50 stem conv1
  EXPECT_EQ(windowOutputSize(kDyn, 3, 1, 1), kDyn);
  EXPECT_LT(windowOutputSize(2, 5, 1, 0), 1);
}

TEST(ShapeHelpers, CountAndFormat) {
  EXPECT_EQ(staticElementCount({2, 3, 4}), 24);
  EXPECT_EQ(staticElementCount({}), 1);
  EXPECT_FALSE(staticElementCount({kDyn, 3}).has_value());
  EXPECT_EQ(formatShape({2, kDyn, 768}), "2x?x768");
  EXPECT_EQ(formatShape({}), "");
}

} // namespace

//===- Schedule.cpp - Positions and buffer lifetimes ----------------------===//

#include "kernel/Transforms/Schedule.h"

using namespace mlir;
using namespace mlir::kernel;

Schedule::Schedule(func::FuncOp func) {
  for (Operation &op : func.front())
    positions[&op] = count++;
}

namespace {
/// Calls `fn` on every user of `buffer` and of the views built on it.
template <typename Fn> void forEachUser(Value buffer, Fn &&fn) {
  SmallVector<Value> pending{buffer};
  while (!pending.empty()) {
    Value value = pending.pop_back_val();
    for (Operation *user : value.getUsers()) {
      fn(user);
      if (auto view = dyn_cast<ViewOp>(user))
        pending.push_back(view.getResult());
    }
  }
}
} // namespace

std::pair<int64_t, int64_t> Schedule::lifetime(Value buffer) const {
  const int64_t defined =
      buffer.getDefiningOp() ? position(buffer.getDefiningOp()) : 0;
  int64_t first = std::numeric_limits<int64_t>::max(), last = defined;
  forEachUser(buffer, [&](Operation *user) {
    // A view is not a use: it touches no memory.
    if (isa<ViewOp>(user))
      return;
    const int64_t at = isa<OutputOp>(user) ? count - 1 : position(user);
    first = std::min(first, position(user));
    last = std::max(last, at);
  });
  if (first == std::numeric_limits<int64_t>::max())
    first = defined;
  return {first, last};
}

bool Schedule::isStepOutput(Value buffer) const {
  bool output = false;
  forEachUser(buffer, [&](Operation *user) { output |= isa<OutputOp>(user); });
  return output;
}

//===- CudaTrainer.cpp - The training update on the GPU -------------------===//

#include "runtime/gpu/CudaTrainer.h"
#include "runtime/abi/ClipLibrary.h"
#include "runtime/gpu/CudaApi.h"
#include "runtime/kernels/ScalarMath.h"

#include "fmt/format.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace clip::gpu {

using runtime::RuntimeError;

namespace {

/// clip::cuda::TensorChunks (runtime/cuda/Optimizer.cuh) as the host passes
/// it by value: a count and three device arrays of 64-bit integers.
struct TensorChunks {
  long long count;
  CUdeviceptr tensor, begin, end;
};

/// Elements per chunk of the multi-tensor kernels (any size works; this
/// one gives ViT-B/16 about 2,400 blocks).
constexpr int64_t kChunk = 65536;
constexpr unsigned kBlock = 256;

} // namespace

struct CudaTrainer::State {
  CudaExecutor &executor;
  CudaDriver &d;
  train::TrainStep binding;
  train::AdamWConfig config;
  train::AdamW optimizer;
  size_t n = 0;
  std::vector<CUdeviceptr> owned; // freed at the end
  CUdeviceptr m = 0, v = 0, sums = 0;
  std::vector<int64_t> offsets; // of each tensor in m, v and sums (elements)
  TensorChunks chunks{};
  CUdeviceptr values = 0, grads = 0, sumTable = 0, mTable = 0, vTable = 0;
  CUdeviceptr steps = 0, partial = 0, norm = 0;
  scalar::AdamWStep *hostSteps = nullptr; // pinned
  CUevent stepsSent = nullptr;
  CUfunction accumulate = nullptr, sumSquares = nullptr, globalNorm = nullptr,
             adamw = nullptr;
  /// The update as a graph, for one clipping norm and one gradient source.
  CUgraphExec graph = nullptr;
  double graphNorm = -1;
  bool graphSums = false;
  bool useSums = false; ///< the last gather accumulated into the sums
  int64_t stepCount = 0;
  long long clampTensor = -1;

  State(CudaExecutor &executor, const std::string &where,
        const train::AdamWConfig &config)
      : executor(executor), d(executor.driver()), binding(executor, where),
        config(config), optimizer(binding.params(), config) {}
  ~State();

  CUdeviceptr alloc(size_t bytes, const char *what) {
    CUdeviceptr p = 0;
    d.check(d.cuMemAlloc(&p, std::max<size_t>(bytes, 256)),
            fmt::format("allocating {} bytes for {}", bytes, what));
    owned.push_back(p);
    return p;
  }
  template <class T>
  CUdeviceptr upload(const std::vector<T> &values, const char *what) {
    const CUdeviceptr p = alloc(values.size() * sizeof(T), what);
    d.check(d.cuMemcpyHtoD(p, values.data(), values.size() * sizeof(T)), what);
    return p;
  }
  CUdeviceptr table(CUdeviceptr base, const char *what) {
    std::vector<CUdeviceptr> pointers;
    for (size_t t = 0; t < n; ++t)
      pointers.push_back(base + offsets[t] * sizeof(float));
    return upload(pointers, what);
  }
  void launch(CUfunction f, unsigned grid, std::vector<void *> args,
              const char *what) {
    d.check(d.cuLaunchKernel(f, grid, 1, 1, kBlock, 1, 1, 0, executor.stream(),
                             args.data(), nullptr),
            what);
  }
  unsigned grid() const {
    return static_cast<unsigned>(std::min<long long>(chunks.count, 1024));
  }
  void enqueueUpdate(double maxNorm);
  void sync() {
    d.check(d.cuStreamSynchronize(executor.stream()),
            "waiting for the device's update");
  }
};

CudaTrainer::State::~State() {
  if (graph)
    d.cuGraphExecDestroy(graph);
  if (executor.stream())
    d.cuStreamSynchronize(executor.stream());
  if (stepsSent)
    d.cuEventDestroy(stepsSent);
  if (hostSteps)
    d.cuMemFreeHost(hostSteps);
  for (CUdeviceptr p : owned)
    d.cuMemFree(p);
}

CudaTrainer::CudaTrainer(CudaExecutor &executor, const std::string &where,
                         const train::AdamWConfig &config)
    : state(std::make_unique<State>(executor, where, config)) {
  State &s = *state;
  CudaDriver &d = s.d;
  const auto &params = s.binding.params();
  s.n = params.size();
  s.clampTensor = s.binding.logitScaleIndex();
  try {
    int64_t total = 0;
    std::vector<long long> tensor, begin, end;
    for (size_t t = 0; t < s.n; ++t) {
      s.offsets.push_back(total);
      total += (params[t].count + 63) / 64 * 64; // 256-byte aligned
      for (int64_t b = 0; b < params[t].count; b += kChunk) {
        tensor.push_back(static_cast<long long>(t));
        begin.push_back(b);
        end.push_back(std::min<int64_t>(b + kChunk, params[t].count));
      }
    }
    s.m = s.alloc(total * sizeof(float), "the AdamW moments");
    s.v = s.alloc(total * sizeof(float), "the AdamW moments");
    d.check(d.cuMemsetD8(s.m, 0, total * sizeof(float)), "zeroing moments");
    d.check(d.cuMemsetD8(s.v, 0, total * sizeof(float)), "zeroing moments");
    s.chunks = {static_cast<long long>(tensor.size()),
                s.upload(tensor, "the chunk table"),
                s.upload(begin, "the chunk table"),
                s.upload(end, "the chunk table")};
    std::vector<CUdeviceptr> values, grads;
    for (size_t t = 0; t < s.n; ++t) {
      const auto [param, output] = s.binding.outputs().grads[t];
      values.push_back(executor.deviceParam(param));
      grads.push_back(executor.deviceOutput(output));
    }
    s.values = s.upload(values, "the parameter table");
    s.grads = s.upload(grads, "the gradient table");
    s.mTable = s.table(s.m, "the moment table");
    s.vTable = s.table(s.v, "the moment table");
    s.steps = s.alloc(s.n * sizeof(scalar::AdamWStep), "the AdamW constants");
    s.partial = s.alloc(s.chunks.count * sizeof(double), "the norm's parts");
    s.norm = s.alloc(2 * sizeof(double), "the gradient norm");
    d.check(d.cuMemsetD8(s.norm, 0, 2 * sizeof(double)), "zeroing the norm");
    void *pinned = nullptr;
    d.check(d.cuMemAllocHost(&pinned, s.n * sizeof(scalar::AdamWStep)),
            "allocating pinned memory for the AdamW constants");
    s.hostSteps = static_cast<scalar::AdamWStep *>(pinned);
    d.check(d.cuEventCreate(&s.stepsSent, CU_EVENT_DISABLE_TIMING),
            "creating an event");
    s.accumulate = executor.kernel(CLIP_CUDA_ACCUMULATE);
    s.sumSquares = executor.kernel(CLIP_CUDA_SUM_SQUARES);
    s.globalNorm = executor.kernel(CLIP_CUDA_GLOBAL_NORM);
    s.adamw = executor.kernel(CLIP_CUDA_ADAMW);
    // The tables went up on the legacy stream, which the executor's
    // non-blocking stream does not wait for.
    d.check(d.cuCtxSynchronize(), "setting up the update");
  } catch (const RuntimeError &) {
    throw;
  } catch (const std::exception &e) {
    throw RuntimeError(
        fmt::format("{}: the update on the GPU: {}", where, e.what()));
  }
}

CudaTrainer::~CudaTrainer() = default;

void CudaTrainer::run() { state->executor.run(); }

float CudaTrainer::gather(int64_t micro, int64_t accum) {
  State &s = *state;
  const float loss =
      *static_cast<const float *>(s.executor.output(s.binding.outputs().loss));
  s.useSums = accum > 1;
  if (!s.useSums)
    return loss; // the update reads the arena's gradients
  if (!s.sums) {
    s.sums = s.alloc(
        (s.offsets.empty() ? 0 : s.offsets.back() + s.binding.counts().back()) *
            sizeof(float),
        "the accumulated gradients");
    s.sumTable = s.table(s.sums, "the accumulated gradients' table");
    s.d.check(s.d.cuCtxSynchronize(), "setting up gradient accumulation");
  }
  long long m = micro, a = accum;
  s.launch(s.accumulate, s.grid(), {&s.chunks, &s.grads, &s.sumTable, &m, &a},
           "launching " CLIP_CUDA_ACCUMULATE);
  return loss;
}

void CudaTrainer::State::enqueueUpdate(double maxNorm) {
  CUdeviceptr g = useSums ? sumTable : grads;
  long long count = chunks.count;
  float clampMax = std::log(100.0f); // OpenCLIP's clamp of logit_scale
  launch(sumSquares, grid(), {&chunks, &g, &partial},
         "launching " CLIP_CUDA_SUM_SQUARES);
  launch(globalNorm, 1, {&count, &partial, &maxNorm, &norm},
         "launching " CLIP_CUDA_GLOBAL_NORM);
  launch(adamw, grid(),
         {&chunks, &values, &g, &mTable, &vTable, &steps, &norm, &clampTensor,
          &clampMax},
         "launching " CLIP_CUDA_ADAMW);
  const ClipFunctionDesc &fn = executor.function();
  for (auto [param, output] : binding.outputs().updates)
    d.check(
        d.cuMemcpyDtoDAsync(
            executor.deviceParam(param), executor.deviceOutput(output),
            runtime::byteSize(fn.params[param]), executor.stream()),
        fmt::format("copying {} into its parameter", fn.outputs[output].name));
}

void CudaTrainer::update(double lr, double maxNorm) {
  State &s = *state;
  CudaDriver &d = s.d;
  ++s.stepCount;
  // The constants of this step, through pinned memory once the last copy
  // out of it is done.
  d.check(d.cuEventSynchronize(s.stepsSent), "waiting for the last update");
  const auto &params = s.binding.params();
  for (size_t t = 0; t < s.n; ++t)
    s.hostSteps[t] =
        train::adamwConstants(s.config, s.stepCount, lr, params[t].decay);
  d.check(d.cuMemcpyHtoDAsync(s.steps, s.hostSteps,
                              s.n * sizeof(scalar::AdamWStep),
                              s.executor.stream()),
          "sending the AdamW constants");
  d.check(d.cuEventRecord(s.stepsSent, s.executor.stream()),
          "ordering the update");
  if (!s.graph || s.graphNorm != maxNorm || s.graphSums != s.useSums) {
    if (s.graph)
      d.check(d.cuGraphExecDestroy(s.graph), "replacing the update's graph");
    s.graph = nullptr;
    CUgraph captured = nullptr;
    d.check(d.cuStreamBeginCapture(s.executor.stream(),
                                   CU_STREAM_CAPTURE_MODE_GLOBAL),
            "capturing the update");
    try {
      s.enqueueUpdate(maxNorm);
    } catch (...) {
      d.cuStreamEndCapture(s.executor.stream(), &captured);
      if (captured)
        d.cuGraphDestroy(captured);
      throw;
    }
    d.check(d.cuStreamEndCapture(s.executor.stream(), &captured),
            "capturing the update");
    const CUresult rc = d.cuGraphInstantiate(&s.graph, captured, 0);
    d.cuGraphDestroy(captured);
    d.check(rc, "instantiating the update's graph");
    s.graphNorm = maxNorm;
    s.graphSums = s.useSums;
  }
  d.check(d.cuGraphLaunch(s.graph, s.executor.stream()),
          "launching the update");
  s.executor.paramsChangedOnDevice();
}

double CudaTrainer::gradNorm() {
  State &s = *state;
  double norm = 0;
  s.sync();
  s.d.check(s.d.cuMemcpyDtoH(&norm, s.norm, sizeof norm),
            "reading the gradient norm");
  return norm;
}

double CudaTrainer::logitScale() {
  State &s = *state;
  if (s.clampTensor < 0)
    return NAN;
  float value = 0;
  s.sync();
  s.d.check(
      s.d.cuMemcpyDtoH(&value,
                       s.executor.deviceParam(
                           s.binding.outputs().grads[s.clampTensor].first),
                       sizeof value),
      "reading logit_scale");
  return std::exp(value);
}

train::AdamW &CudaTrainer::optimizer() {
  State &s = *state;
  s.sync();
  for (size_t t = 0; t < s.n; ++t) {
    for (auto [base, host] : {std::pair{s.m, &s.optimizer.expAvg(t)},
                              std::pair{s.v, &s.optimizer.expAvgSq(t)}})
      s.d.check(s.d.cuMemcpyDtoH(host->data(),
                                 base + s.offsets[t] * sizeof(float),
                                 host->size() * sizeof(float)),
                "reading the AdamW moments");
  }
  s.optimizer.setSteps(s.stepCount);
  return s.optimizer;
}

void CudaTrainer::optimizerLoaded() {
  State &s = *state;
  s.sync();
  s.stepCount = s.optimizer.steps();
  for (size_t t = 0; t < s.n; ++t) {
    for (auto [base, host] : {std::pair{s.m, &s.optimizer.expAvg(t)},
                              std::pair{s.v, &s.optimizer.expAvgSq(t)}})
      s.d.check(s.d.cuMemcpyHtoD(base + s.offsets[t] * sizeof(float),
                                 host->data(), host->size() * sizeof(float)),
                "restoring the AdamW moments");
  }
  s.d.check(s.d.cuCtxSynchronize(), "restoring the AdamW moments");
}

} // namespace clip::gpu

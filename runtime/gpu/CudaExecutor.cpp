//===- CudaExecutor.cpp - Run a compiled function on an NVIDIA GPU --------===//

#include "runtime/gpu/CudaExecutor.h"
#include "runtime/gpu/CudaApi.h"
#include "runtime/gpu/Nvrtc.h"

#include "fmt/format.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>

namespace clip::gpu {

using runtime::RuntimeError;

namespace {

std::filesystem::path cacheDirectory() {
  if (const char *dir = std::getenv("CLIPC_CACHE_DIR"); dir && *dir)
    return dir;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "clipc";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "clipc";
  return std::filesystem::temp_directory_path() / "clipc-cache";
}

/// The largest power of two (up to 256) that divides `address`: cuBLASLt
/// only offers algorithms whose alignment needs the buffers meet.
uint32_t alignmentOf(uint64_t address) {
  uint32_t alignment = 256;
  while (alignment > 4 && address % alignment)
    alignment /= 2;
  return alignment;
}

} // namespace

struct CudaExecutor::State {
  const runtime::Library &library;
  const ClipFunctionDesc &fn;
  CudaDriver driver;
  std::optional<CublasLtApi> lt;
  CUdevice device = 0;
  CUcontext context = nullptr;
  CUmodule module = nullptr;
  std::string name, arch;
  std::vector<CUfunction> functions; // per step (null for GEMMs)
  CUdeviceptr arena = 0, paramTable = 0, inputTable = 0, errors = 0;
  size_t errorBytes = 0;
  std::vector<CUdeviceptr> params, inputs;
  std::vector<runtime::Buffer> hostParams, hostOutputs;
  /// Pinned: the copy stream reads them when it gets to the upload.
  std::vector<void *> hostInputs;
  /// Which copy of a parameter is newer: the host's (written through
  /// param(), uploaded by the next run) or the device's (after an update).
  enum class Newer { Same, Host, Device };
  std::vector<Newer> newer;
  /// `stream` runs the steps; `copies` uploads inputs. `uploaded`: the
  /// last upload is done (its pinned buffers may be refilled); `consumed`:
  /// the last step is done (the device inputs may be overwritten).
  CUstream stream = nullptr, copies = nullptr;
  CUevent uploaded = nullptr, consumed = nullptr;
  CUgraphExec graph = nullptr;
  bool useGraph = true;
  bool pending = false; ///< a run is queued whose errors are not yet read
  bool planned = false; ///< the GEMMs were planned (at the first run)
  /// Inputs bound to device memory another owns (bindDeviceInput): neither
  /// uploaded nor freed here.
  std::vector<bool> boundInputs;
  cublasLtHandle_t handle = nullptr;
  CUdeviceptr workspace = 0;
  static constexpr size_t kWorkspaceBytes = 32u << 20;

  struct GemmPlan {
    cublasLtMatmulDesc_t desc = nullptr;
    cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
    /// cuBLASLt's heuristic results, best first: a run that one refuses
    /// (CUBLAS_STATUS_NOT_SUPPORTED) falls back to the next.
    std::vector<cublasLtMatmulAlgo_t> algos;
  };
  std::vector<GemmPlan> plans; // per step

  /// Debugging on the device, from the environment (read once):
  /// CLIPC_CUDA_SYNC=1 synchronizes after every step and names the one that
  /// faulted; CLIPC_CUDA_POISON=1 fills the arena with NaN bytes (0xff)
  /// before each run and refuses outputs that contain NaN (a kernel read
  /// memory that nothing wrote); CLIPC_CUDA_PROFILE=1 times every step with
  /// events and prints time per kernel kind, the 15 slowest steps and the
  /// host<->device copy time after each run.
  bool sync = false, poison = false, profile = false;
  /// --check-numerics: after each launch's last step, wait and read the
  /// float buffers it wrote (steps one by one, not as a graph).
  bool checkNumerics = false;
  void checkWrites(const ClipCudaStep &step);
  std::vector<CUevent> events; // profile: one before each step, one after
  double copySeconds = 0;
  void printProfile();

  State(const runtime::Library &library, const ClipFunctionDesc &fn)
      : library(library), fn(fn) {
    auto on = [](const char *name) {
      const char *value = std::getenv(name);
      return value && *value && std::string(value) != "0";
    };
    sync = on("CLIPC_CUDA_SYNC");
    poison = on("CLIPC_CUDA_POISON");
    profile = on("CLIPC_CUDA_PROFILE");
    const char *graphs = std::getenv("CLIPC_CUDA_GRAPH");
    useGraph = !(graphs && std::string(graphs) == "0") && !sync && !profile;
  }
  ~State();

  CUdeviceptr alloc(size_t bytes, const std::string &what) {
    CUdeviceptr p = 0;
    driver.check(driver.cuMemAlloc(&p, std::max<size_t>(bytes, 256)),
                 fmt::format("allocating {} bytes for {}", bytes, what));
    return p;
  }
  CUdeviceptr address(const ClipBufferRef &ref) const {
    switch (ref.space) {
    case CLIP_SPACE_ARENA:
      return arena + ref.byteOffset;
    case CLIP_SPACE_PARAM:
      return params[ref.index] + ref.byteOffset;
    case CLIP_SPACE_INPUT:
      return inputs[ref.index] + ref.byteOffset;
    default:
      return 0;
    }
  }
  std::vector<char> cubin();
  void loadModule();
  void planGemm(const ClipCudaStep &step, GemmPlan &plan);
  void runGemm(const ClipCudaStep &step, const GemmPlan &plan);
  /// The function's work on `stream`: clearing the error slots (and the
  /// poison), then every step. What the graph captures.
  void enqueueSteps();
  /// Waits for the queued run and reads its error slots (once).
  void finish();
  /// Brings the device's parameters back when they are newer.
  void fetchParams();
};

CudaExecutor::State::~State() {
  if (lt) {
    for (GemmPlan &plan : plans) {
      if (plan.desc)
        lt->cublasLtMatmulDescDestroy(plan.desc);
      for (auto layout : {plan.a, plan.b, plan.c})
        if (layout)
          lt->cublasLtMatrixLayoutDestroy(layout);
    }
    if (handle)
      lt->cublasLtDestroy(handle);
  }
  if (stream)
    driver.cuStreamSynchronize(stream);
  if (graph)
    driver.cuGraphExecDestroy(graph);
  for (CUevent e : events)
    if (e)
      driver.cuEventDestroy(e);
  for (CUevent e : {uploaded, consumed})
    if (e)
      driver.cuEventDestroy(e);
  for (CUstream st : {stream, copies})
    if (st)
      driver.cuStreamDestroy(st);
  for (void *p : hostInputs)
    driver.cuMemFreeHost(p);
  for (CUdeviceptr p : params)
    driver.cuMemFree(p);
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!boundInputs[i])
      driver.cuMemFree(inputs[i]);
  for (CUdeviceptr p : {arena, paramTable, inputTable, workspace})
    if (p)
      driver.cuMemFree(p);
  if (module)
    driver.cuModuleUnload(module);
  if (context)
    driver.cuDevicePrimaryCtxRelease(device);
}

std::vector<char> CudaExecutor::State::cubin() {
  // clipc stores the cubin it compiled (and checked) for its --cuda-arch:
  // on a device of that architecture nothing is compiled here.
  if (fn.cudaCubin && fn.cudaCubinSize > 0 && fn.cudaArch &&
      arch == fn.cudaArch)
    return std::vector<char>(reinterpret_cast<const char *>(fn.cudaCubin),
                             reinterpret_cast<const char *>(fn.cudaCubin) +
                                 fn.cudaCubinSize);
  Nvrtc nvrtc;
  const std::string source = fn.cudaSource;
  const std::filesystem::path cached =
      cacheDirectory() / (nvrtc.cacheKey(source, arch) + ".cubin");
  if (std::ifstream in{cached, std::ios::binary}) {
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    if (!bytes.empty())
      return bytes;
  }
  Nvrtc::Output out = nvrtc.compile(source, std::string(fn.name) + ".cu", arch);
  if (!out.ok)
    throw RuntimeError(fmt::format("{}: NVRTC failed on @{} for {}:\n{}",
                                   library.path(), fn.name, arch, out.log));
  // Cache atomically: a concurrent run sees the old file or the whole new
  // one. A cache that cannot be written only costs the next compile.
  std::error_code ec;
  std::filesystem::create_directories(cached.parent_path(), ec);
  const std::filesystem::path partial = cached.string() + ".partial";
  {
    std::ofstream os(partial, std::ios::binary);
    os.write(out.cubin.data(), static_cast<std::streamsize>(out.cubin.size()));
  }
  std::filesystem::rename(partial, cached, ec);
  return out.cubin;
}

void CudaExecutor::State::loadModule() {
  // The host emulator (runtime/gpu/emulator) runs the unit from source.
  if (driver.clipEmulatorLoadSource) {
    driver.check(driver.clipEmulatorLoadSource(&module, fn.cudaSource, fn.name),
                 "loading the CUDA unit into the host emulator");
    return;
  }
  const std::vector<char> image = cubin();
  driver.check(driver.cuModuleLoadData(&module, image.data()),
               "loading the compiled kernels");
}

void CudaExecutor::State::planGemm(const ClipCudaStep &step, GemmPlan &plan) {
  const ClipCudaGemm &g = step.gemm;
  const std::string what = fmt::format("planning GEMM {}", step.launch);
  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: pass B
  // as cuBLASLt's A and A as its B, with m and n swapped.
  cublasOperation_t opB = g.transposeB ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublasOperation_t opA = g.transposeA ? CUBLAS_OP_T : CUBLAS_OP_N;
  // f32 accumulation whatever the storage (bf16 operands: tensor cores).
  lt->check(
      lt->cublasLtMatmulDescCreate(&plan.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F),
      what);
  auto dataType = [&](int32_t dtype, const char *operand) {
    if (dtype == CLIP_F32)
      return CUDA_R_32F;
    if (dtype == CLIP_BF16)
      return CUDA_R_16BF;
    throw RuntimeError(fmt::format("@{}: GEMM {}: {} has dtype code {}, not "
                                   "f32 or bf16",
                                   fn.name, step.launch, operand, dtype));
  };
  const cudaDataType_t typeA = dataType(g.typeA, "A"),
                       typeB = dataType(g.typeB, "B"),
                       typeC = dataType(g.typeC, "C");
  lt->check(lt->cublasLtMatmulDescSetAttribute(
                plan.desc, CUBLASLT_MATMUL_DESC_TRANSA, &opB, sizeof opB),
            what);
  lt->check(lt->cublasLtMatmulDescSetAttribute(
                plan.desc, CUBLASLT_MATMUL_DESC_TRANSB, &opA, sizeof opA),
            what);
  if (g.bias.space != CLIP_SPACE_NONE) {
    cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_BIAS;
    lt->check(lt->cublasLtMatmulDescSetAttribute(plan.desc,
                                                 CUBLASLT_MATMUL_DESC_EPILOGUE,
                                                 &epilogue, sizeof epilogue),
              what);
    const CUdeviceptr bias = address(g.bias);
    lt->check(
        lt->cublasLtMatmulDescSetAttribute(
            plan.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias),
        what);
    // Biases are f32 parameters; by default cuBLASLt reads D's type.
    const cudaDataType_t biasType = CUDA_R_32F;
    lt->check(lt->cublasLtMatmulDescSetAttribute(
                  plan.desc, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &biasType,
                  sizeof biasType),
              what);
  }
  auto layout = [&](cublasLtMatrixLayout_t &l, cudaDataType_t type,
                    uint64_t rows, uint64_t cols, int64_t ld, int64_t stride) {
    lt->check(lt->cublasLtMatrixLayoutCreate(&l, type, rows, cols, ld), what);
    const int32_t batch = static_cast<int32_t>(g.batch);
    lt->check(lt->cublasLtMatrixLayoutSetAttribute(
                  l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &batch, sizeof batch),
              what);
    lt->check(lt->cublasLtMatrixLayoutSetAttribute(
                  l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                  sizeof stride),
              what);
  };
  // cuBLASLt's A: our B as stored (row-major k x n, or n x k transposed).
  if (g.transposeB)
    layout(plan.a, typeB, g.k, g.n, g.k, g.strideB);
  else
    layout(plan.a, typeB, g.n, g.k, g.n, g.strideB);
  if (g.transposeA)
    layout(plan.b, typeA, g.m, g.k, g.m, g.strideA);
  else
    layout(plan.b, typeA, g.k, g.m, g.k, g.strideA);
  layout(plan.c, typeC, g.n, g.m, g.n, g.strideC);

  cublasLtMatmulPreference_t preference = nullptr;
  lt->check(lt->cublasLtMatmulPreferenceCreate(&preference), what);
  const uint64_t workspaceBytes = kWorkspaceBytes;
  const uint32_t alignA = alignmentOf(address(g.b)),
                 alignB = alignmentOf(address(g.a)),
                 alignC = alignmentOf(address(g.c));
  auto prefer = [&](cublasLtMatmulPreferenceAttributes_t attribute,
                    const void *value, size_t size) {
    const cublasStatus_t status = lt->cublasLtMatmulPreferenceSetAttribute(
        preference, attribute, value, size);
    if (status != CUBLAS_STATUS_SUCCESS)
      lt->cublasLtMatmulPreferenceDestroy(preference);
    lt->check(status, what);
  };
  prefer(CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspaceBytes,
         sizeof workspaceBytes);
  prefer(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &alignA, sizeof alignA);
  prefer(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &alignB, sizeof alignB);
  prefer(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &alignC, sizeof alignC);
  prefer(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &alignC, sizeof alignC);
  constexpr int kCandidates = 8;
  cublasLtMatmulHeuristicResult_t results[kCandidates] = {};
  int found = 0;
  const cublasStatus_t status = lt->cublasLtMatmulAlgoGetHeuristic(
      handle, plan.desc, plan.a, plan.b, plan.c, plan.c, preference,
      kCandidates, results, &found);
  lt->cublasLtMatmulPreferenceDestroy(preference);
  lt->check(status, what);
  for (int i = 0; i < found; ++i)
    if (results[i].state == CUBLAS_STATUS_SUCCESS)
      plan.algos.push_back(results[i].algo);
  if (plan.algos.empty())
    throw RuntimeError(fmt::format(
        "@{}: cuBLASLt has no algorithm for GEMM {} ({} x {} x {}, batch {}, "
        "storage {}/{}/{})",
        fn.name, step.launch, g.m, g.n, g.k, g.batch, g.typeA, g.typeB,
        g.typeC));
}

void CudaExecutor::State::runGemm(const ClipCudaStep &step,
                                  const GemmPlan &plan) {
  const ClipCudaGemm &g = step.gemm;
  const float alpha = 1.0f;
  const float beta = g.residual.space == CLIP_SPACE_NONE ? 0.0f : 1.0f;
  const CUdeviceptr c = address(g.c);
  const CUdeviceptr residual = beta != 0 ? address(g.residual) : c;
  // The heuristic's first choice, else the next one it offered: an
  // algorithm may still refuse a problem at run time.
  cublasStatus_t status = CUBLAS_STATUS_NOT_SUPPORTED;
  for (size_t i = 0; i < plan.algos.size(); ++i) {
    status = lt->cublasLtMatmul(
        handle, plan.desc, &alpha, reinterpret_cast<const void *>(address(g.b)),
        plan.a, reinterpret_cast<const void *>(address(g.a)), plan.b, &beta,
        reinterpret_cast<const void *>(residual), plan.c,
        reinterpret_cast<void *>(c), plan.c, &plan.algos[i],
        reinterpret_cast<void *>(workspace), kWorkspaceBytes,
        reinterpret_cast<cudaStream_t>(stream));
    if (status != CUBLAS_STATUS_NOT_SUPPORTED)
      break;
  }
  lt->check(status, fmt::format("running GEMM {} ({} algorithms tried)",
                                step.launch, plan.algos.size()));
}

CudaExecutor::CudaExecutor(const runtime::Library &library,
                           const std::string &function, int device)
    : Executor(library.function(function)) {
  if (!function_.cudaSource)
    throw RuntimeError(fmt::format(
        "{}: @{} was compiled without the CUDA target (clipc --target cuda "
        "or all)",
        library.path(), function));
  try {
    state = std::make_unique<State>(library, function_);
  } catch (const std::exception &e) {
    throw RuntimeError(fmt::format("--device cuda: {}", e.what()));
  }
  State &s = *state;
  CudaDriver &d = s.driver;
  try {
    int count = 0;
    d.check(d.cuDeviceGetCount(&count), "counting GPUs");
    if (device < 0 || device >= count)
      throw RuntimeError(fmt::format("cannot run on a GPU: GPU {} requested, "
                                     "{} present",
                                     device, count));
    d.check(d.cuDeviceGet(&s.device, device), "opening the GPU");
    char name[256] = {0};
    d.cuDeviceGetName(name, sizeof name - 1, s.device);
    int major = 0, minor = 0;
    d.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                           s.device);
    d.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                           s.device);
    s.name = name;
    s.arch = fmt::format("sm_{}{}", major, minor);
    d.check(d.cuDevicePrimaryCtxRetain(&s.context, s.device),
            "creating the GPU context");
    d.check(d.cuCtxSetCurrent(s.context), "selecting the GPU context");

    s.loadModule();
    d.check(
        d.cuModuleGetGlobal(&s.errors, &s.errorBytes, s.module, "clip_error"),
        "finding clip_error");

    s.arena = s.alloc(std::max(function_.arenaBytes, function_.cudaArenaBytes),
                      "the arena");
    std::vector<CUdeviceptr> table;
    for (int32_t i = 0; i < function_.numParams; ++i) {
      const int64_t bytes = runtime::byteSize(function_.params[i]);
      s.params.push_back(s.alloc(bytes, function_.params[i].name));
      s.hostParams.emplace_back(bytes);
      std::memset(s.hostParams.back().data(), 0, bytes);
    }
    s.newer.assign(function_.numParams, State::Newer::Host);
    s.boundInputs.assign(function_.numInputs, false);
    for (int32_t i = 0; i < function_.numInputs; ++i) {
      const int64_t bytes = runtime::byteSize(function_.inputs[i]);
      s.inputs.push_back(s.alloc(bytes, function_.inputs[i].name));
      void *pinned = nullptr;
      d.check(d.cuMemAllocHost(&pinned, std::max<int64_t>(bytes, 1)),
              fmt::format("allocating {} bytes of pinned memory for {}", bytes,
                          function_.inputs[i].name));
      s.hostInputs.push_back(pinned);
      std::memset(pinned, 0, bytes);
    }
    d.check(d.cuStreamCreate(&s.stream, CU_STREAM_NON_BLOCKING),
            "creating the stream");
    d.check(d.cuStreamCreate(&s.copies, CU_STREAM_NON_BLOCKING),
            "creating the copy stream");
    for (CUevent *e : {&s.uploaded, &s.consumed})
      d.check(d.cuEventCreate(e, CU_EVENT_DISABLE_TIMING), "creating events");
    auto upload = [&](const std::vector<CUdeviceptr> &pointers,
                      CUdeviceptr &table, const char *what) {
      table = s.alloc(pointers.size() * sizeof(CUdeviceptr), what);
      if (!pointers.empty())
        d.check(d.cuMemcpyHtoD(table, pointers.data(),
                               pointers.size() * sizeof(CUdeviceptr)),
                what);
    };
    upload(s.params, s.paramTable, "the parameter table");
    upload(s.inputs, s.inputTable, "the input table");
    for (int32_t i = 0; i < function_.numOutputs; ++i)
      s.hostOutputs.emplace_back(runtime::byteSize(function_.outputs[i]));

    s.functions.assign(function_.numCudaSteps, nullptr);
    s.plans.resize(function_.numCudaSteps);
    for (int32_t i = 0; i < function_.numCudaSteps; ++i) {
      const ClipCudaStep &step = function_.cudaSteps[i];
      if (step.kind == CLIP_CUDA_KERNEL) {
        d.check(d.cuModuleGetFunction(&s.functions[i], s.module, step.kernel),
                fmt::format("finding kernel {}", step.kernel));
        // Past 48 KiB of dynamic shared memory a kernel must opt in.
        if (step.sharedBytes > (48 << 10))
          d.check(d.cuFuncSetAttribute(
                      s.functions[i],
                      CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                      step.sharedBytes),
                  fmt::format("allowing {} {} bytes of shared memory",
                              step.kernel, step.sharedBytes));
        continue;
      }
      if (!s.lt) {
        s.lt.emplace();
        s.lt->check(s.lt->cublasLtCreate(&s.handle), "creating cuBLASLt");
        s.workspace = s.alloc(State::kWorkspaceBytes, "the GEMM workspace");
      }
    }
    // The tables went up on the legacy stream, which the non-blocking
    // streams do not wait for.
    d.check(d.cuCtxSynchronize(), "setting up @" + function);
  } catch (const RuntimeError &) {
    throw;
  } catch (const std::exception &e) {
    throw RuntimeError(fmt::format("{}: @{} on the GPU: {}", library.path(),
                                   function, e.what()));
  }
}

CudaExecutor::~CudaExecutor() = default;

void *CudaExecutor::param(int32_t index) {
  State &s = *state;
  s.fetchParams();
  s.newer[index] = State::Newer::Host; // the caller may write it
  return s.hostParams[index].data();
}

void *CudaExecutor::input(int32_t index) {
  State &s = *state;
  if (s.boundInputs[index])
    throw RuntimeError(fmt::format("@{}: input `{}` is bound to device "
                                   "memory; it has no host copy",
                                   function_.name,
                                   function_.inputs[index].name));
  // The pinned buffer is the last upload's source until that is done.
  s.driver.check(s.driver.cuEventSynchronize(s.uploaded),
                 "waiting for the last upload of the inputs");
  return s.hostInputs[index];
}

void CudaExecutor::State::fetchParams() {
  if (std::find(newer.begin(), newer.end(), Newer::Device) == newer.end())
    return;
  const auto copyStart = std::chrono::steady_clock::now();
  driver.check(driver.cuStreamSynchronize(stream),
               "waiting for the device's parameters");
  for (size_t i = 0; i < params.size(); ++i)
    if (newer[i] == Newer::Device) {
      driver.check(driver.cuMemcpyDtoH(hostParams[i].data(), params[i],
                                       hostParams[i].bytes()),
                   fmt::format("reading parameter {}", fn.params[i].name));
      newer[i] = Newer::Same;
    }
  copySeconds += std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - copyStart)
                     .count();
}

CudaDriver &CudaExecutor::driver() { return state->driver; }
CUstream CudaExecutor::stream() const { return state->stream; }

CUfunction CudaExecutor::kernel(const char *name) const {
  CUfunction f = nullptr;
  state->driver.check(
      state->driver.cuModuleGetFunction(&f, state->module, name),
      fmt::format("finding kernel {} in @{}'s unit", name, function_.name));
  return f;
}

CUdeviceptr CudaExecutor::deviceParam(int32_t index) const {
  return state->params[index];
}

CUdeviceptr CudaExecutor::deviceInput(int32_t index) const {
  return state->inputs[index];
}

void CudaExecutor::bindDeviceInput(int32_t index, CUdeviceptr data) {
  State &s = *state;
  if (s.planned)
    throw RuntimeError(fmt::format("@{}: input `{}` bound after the first "
                                   "run (the steps are planned and captured "
                                   "by then)",
                                   function_.name,
                                   function_.inputs[index].name));
  CudaDriver &d = s.driver;
  if (!s.boundInputs[index])
    d.check(d.cuMemFree(s.inputs[index]), "freeing an input");
  s.inputs[index] = data;
  s.boundInputs[index] = true;
  d.check(d.cuMemcpyHtoD(s.inputTable + index * sizeof(CUdeviceptr), &data,
                         sizeof data),
          fmt::format("binding input `{}`", function_.inputs[index].name));
}

CUdeviceptr CudaExecutor::deviceOutput(int32_t index) const {
  const ClipTensorDesc &out = function_.outputs[index];
  if (out.arenaOffset < 0)
    throw RuntimeError(fmt::format("@{}: output `{}` is not in the arena",
                                   function_.name, out.name));
  return state->arena + out.arenaOffset;
}

void CudaExecutor::paramsChangedOnDevice() {
  State &s = *state;
  for (auto &n : s.newer) {
    if (n == State::Newer::Host)
      throw RuntimeError(fmt::format(
          "@{}: parameters written on the host were never uploaded before "
          "the device changed them",
          function_.name));
    n = State::Newer::Device;
  }
}

std::string CudaExecutor::deviceName() const {
  return fmt::format("{} ({})", state->name, state->arch);
}

void CudaExecutor::State::printProfile() {
  // Per step: the kind (the launch's name without its position), the name.
  std::map<std::string, std::pair<double, int>> kinds;
  std::vector<std::pair<double, int32_t>> steps;
  double total = 0;
  for (int32_t i = 0; i < fn.numCudaSteps; ++i) {
    float ms = 0;
    driver.check(
        driver.cuEventElapsedTime(&ms, events[2 * i], events[2 * i + 1]),
        "reading the profile's events");
    const ClipCudaStep &step = fn.cudaSteps[i];
    std::string kind = step.launch;
    if (size_t at = kind.find_last_of('_'); at != std::string::npos)
      kind.resize(at);
    if (step.kind == CLIP_CUDA_GEMM)
      kind += " (cuBLASLt)";
    kinds[kind].first += ms;
    ++kinds[kind].second;
    steps.push_back({ms, i});
    total += ms;
  }
  fmt::print(stderr,
             "CLIPC_CUDA_PROFILE @{}: {} steps, {:.3f} ms on the GPU, "
             "{:.3f} ms host<->device copies\n",
             fn.name, fn.numCudaSteps, total, copySeconds * 1e3);
  std::vector<std::pair<double, std::string>> byKind;
  for (auto &[kind, value] : kinds)
    byKind.push_back(
        {value.first, fmt::format("{} ({} steps)", kind, value.second)});
  std::sort(byKind.rbegin(), byKind.rend());
  for (auto &[ms, kind] : byKind)
    fmt::print(stderr, "  {:9.3f} ms {:5.1f}%  {}\n", ms,
               total > 0 ? 100 * ms / total : 0.0, kind);
  std::sort(steps.rbegin(), steps.rend());
  fmt::print(stderr, "  slowest steps:\n");
  for (size_t k = 0; k < std::min<size_t>(15, steps.size()); ++k) {
    const ClipCudaStep &step = fn.cudaSteps[steps[k].second];
    fmt::print(stderr, "  {:9.3f} ms  step {} {} (grid {}, block {})\n",
               steps[k].first, steps[k].second,
               step.kind == CLIP_CUDA_GEMM ? step.launch : step.kernel,
               step.grid, step.block);
  }
}

void CudaExecutor::State::enqueueSteps() {
  CudaDriver &d = driver;
  d.check(d.cuMemsetD8Async(errors, 0, errorBytes, stream),
          "clearing clip_error");
  if (poison)
    d.check(d.cuMemsetD8Async(arena, 0xff,
                              std::max(fn.arenaBytes, fn.cudaArenaBytes),
                              stream),
            "poisoning the arena (CLIPC_CUDA_POISON)");
  for (int32_t i = 0; i < fn.numCudaSteps; ++i) {
    const ClipCudaStep &step = fn.cudaSteps[i];
    if (profile)
      d.check(d.cuEventRecord(events[2 * i], stream), "profiling");
    if (step.kind == CLIP_CUDA_GEMM) {
      runGemm(step, plans[i]);
    } else {
      void *args[] = {&arena, &paramTable, &inputTable};
      d.check(d.cuLaunchKernel(functions[i], static_cast<unsigned>(step.grid),
                               1, 1, static_cast<unsigned>(step.block), 1, 1,
                               static_cast<unsigned>(step.sharedBytes), stream,
                               args, nullptr),
              fmt::format("launching {}", step.kernel));
    }
    if (profile)
      d.check(d.cuEventRecord(events[2 * i + 1], stream), "profiling");
    if (checkNumerics && step.numWrites > 0)
      checkWrites(step);
    if (sync)
      d.check(d.cuStreamSynchronize(stream),
              fmt::format(
                  "step {} of {}, {} {} (CLIPC_CUDA_SYNC)", i, fn.numCudaSteps,
                  step.kind == CLIP_CUDA_GEMM ? "cuBLASLt GEMM" : "kernel",
                  step.kind == CLIP_CUDA_GEMM ? step.launch : step.kernel));
  }
}

void CudaExecutor::State::checkWrites(const ClipCudaStep &step) {
  driver.check(driver.cuStreamSynchronize(stream),
               fmt::format("@{}: {} (--check-numerics)", fn.name, step.check));
  for (int32_t k = 0; k < step.numWrites; ++k) {
    const ClipCudaWrite &w = step.writes[k];
    const bool bf16 = w.dtype == CLIP_BF16;
    std::vector<uint32_t> bits(static_cast<size_t>(w.elements));
    std::vector<uint16_t> halves(bf16 ? bits.size() : 0);
    void *host = bf16 ? static_cast<void *>(halves.data()) : bits.data();
    driver.check(driver.cuMemcpyDtoH(host, address(w.buffer),
                                     bits.size() * (bf16 ? 2 : 4)),
                 fmt::format("@{}: reading what {} wrote (--check-numerics)",
                             fn.name, step.check));
    for (size_t i = 0; i < halves.size(); ++i)
      bits[i] = uint32_t(halves[i]) << 16;
    for (size_t i = 0; i < bits.size(); ++i) {
      // Exponent all ones: Inf or NaN, in either storage.
      if ((bits[i] & 0x7f800000u) != 0x7f800000u)
        continue;
      const char *what = (bits[i] & 0x7fffffu) ? "NaN"
                         : (bits[i] >> 31)     ? "-Inf"
                                               : "Inf";
      throw RuntimeError(fmt::format("@{}: {}, output {} holds {} at element "
                                     "{} of {}",
                                     fn.name, step.check, k, what, i,
                                     bits.size()));
    }
  }
}

void CudaExecutor::checkNumerics(bool on) {
  state->checkNumerics = on;
  if (on) {
    // Steps one by one: a graph could not stop after the launch at fault.
    state->useGraph = false;
  }
}

void CudaExecutor::run() {
  State &s = *state;
  CudaDriver &d = s.driver;
  try {
    s.finish(); // the previous run's errors first
    // Parameters the host wrote, from pageable memory: the driver stages
    // them before returning.
    for (size_t i = 0; i < s.params.size(); ++i)
      if (s.newer[i] == State::Newer::Host) {
        d.check(d.cuMemcpyHtoDAsync(s.params[i], s.hostParams[i].data(),
                                    s.hostParams[i].bytes(), s.stream),
                "uploading parameters");
        s.newer[i] = State::Newer::Same;
      }
    // The batch, on the copy stream: once the last step no longer reads
    // the device inputs; the step waits for it.
    d.check(d.cuStreamWaitEvent(s.copies, s.consumed, 0), "ordering uploads");
    for (size_t i = 0; i < s.inputs.size(); ++i)
      if (!s.boundInputs[i])
        d.check(d.cuMemcpyHtoDAsync(s.inputs[i], s.hostInputs[i],
                                    runtime::byteSize(function_.inputs[i]),
                                    s.copies),
                "uploading inputs");
    d.check(d.cuEventRecord(s.uploaded, s.copies), "ordering uploads");
    d.check(d.cuStreamWaitEvent(s.stream, s.uploaded, 0), "ordering uploads");

    if (!s.planned) {
      // Planned here, not when constructed: cuBLASLt's algorithms depend on
      // the buffers' alignment, and bindDeviceInput may move an input.
      for (int32_t i = 0; i < function_.numCudaSteps; ++i)
        if (function_.cudaSteps[i].kind != CLIP_CUDA_KERNEL)
          s.planGemm(function_.cudaSteps[i], s.plans[i]);
      s.planned = true;
    }
    if (s.profile && s.events.empty()) {
      s.events.resize(2 * function_.numCudaSteps);
      for (CUevent &e : s.events)
        d.check(d.cuEventCreate(&e, CU_EVENT_DEFAULT), "creating events");
    }
    if (s.useGraph && !s.graph) {
      // Captured once: the steps' arguments and GEMM plans never change
      // (inputs and parameters keep their addresses).
      CUgraph captured = nullptr;
      d.check(d.cuStreamBeginCapture(s.stream, CU_STREAM_CAPTURE_MODE_GLOBAL),
              "capturing the steps as a CUDA graph");
      try {
        s.enqueueSteps();
      } catch (...) {
        d.cuStreamEndCapture(s.stream, &captured);
        if (captured)
          d.cuGraphDestroy(captured);
        throw;
      }
      d.check(d.cuStreamEndCapture(s.stream, &captured),
              "capturing the steps as a CUDA graph");
      const CUresult rc = d.cuGraphInstantiate(&s.graph, captured, 0);
      d.cuGraphDestroy(captured);
      d.check(rc, "instantiating the CUDA graph");
    }
    if (s.graph)
      d.check(d.cuGraphLaunch(s.graph, s.stream), "launching the CUDA graph");
    else
      s.enqueueSteps();
    d.check(d.cuEventRecord(s.consumed, s.stream), "ordering uploads");
    s.pending = true;
    if (s.sync || s.profile || s.poison)
      s.finish();
  } catch (const RuntimeError &) {
    throw;
  } catch (const std::exception &e) {
    throw RuntimeError(
        fmt::format("@{} on the GPU: {}", function_.name, e.what()));
  }
}

void CudaExecutor::State::finish() {
  if (!pending)
    return;
  pending = false;
  driver.check(driver.cuStreamSynchronize(stream),
               fmt::format("running @{}", fn.name));
  if (profile)
    printProfile();
  std::vector<long long> slots(errorBytes / sizeof(long long));
  driver.check(driver.cuMemcpyDtoH(slots.data(), errors, errorBytes),
               "reading clip_error");
  for (int32_t i = 0; i < fn.numCudaSteps; ++i) {
    const ClipCudaStep &step = fn.cudaSteps[i];
    if (step.errorSlot >= 0 && slots[3 * step.errorSlot])
      throw RuntimeError(
          fmt::format("@{}: {}: index {} at position {} is outside [0, {})",
                      fn.name, step.launch, slots[3 * step.errorSlot + 2],
                      slots[3 * step.errorSlot + 1], step.errorBound));
  }
  if (!poison)
    return;
  for (int32_t i = 0; i < fn.numOutputs; ++i) {
    const ClipTensorDesc &out = fn.outputs[i];
    if (out.dtype != CLIP_F32)
      continue;
    std::vector<float> values(runtime::byteSize(out) / 4);
    driver.check(driver.cuMemcpyDtoH(values.data(), arena + out.arenaOffset,
                                     values.size() * 4),
                 fmt::format("reading output {}", out.name));
    for (size_t k = 0; k < values.size(); ++k)
      if (values[k] != values[k])
        throw RuntimeError(fmt::format(
            "@{}: output `{}` holds NaN at element {} with "
            "CLIPC_CUDA_POISON=1: a kernel read arena memory that nothing "
            "wrote (rerun with CLIPC_CUDA_SYNC=1 and compute-sanitizer "
            "--tool initcheck to find it)",
            fn.name, out.name, k));
  }
}

const void *CudaExecutor::output(int32_t index) {
  State &s = *state;
  const ClipTensorDesc &out = function_.outputs[index];
  const CUdeviceptr where = deviceOutput(index);
  s.finish();
  s.driver.check(s.driver.cuMemcpyDtoHAsync(s.hostOutputs[index].data(), where,
                                            s.hostOutputs[index].bytes(),
                                            s.stream),
                 fmt::format("reading output {}", out.name));
  s.driver.check(s.driver.cuStreamSynchronize(s.stream),
                 fmt::format("reading output {}", out.name));
  return s.hostOutputs[index].data();
}

} // namespace clip::gpu

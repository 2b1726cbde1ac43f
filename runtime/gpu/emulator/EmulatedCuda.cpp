//===- EmulatedCuda.cpp - The CUDA driver and cuBLASLt on the host --------===//
//
// libclip-emulated-cuda.so: the subset of the CUDA driver API and cuBLASLt
// that runtime/gpu calls, implemented on the CPU, so that the real
// CudaExecutor and the device-resident training loop run without a GPU:
//
//   export CLIPC_CUDA_DRIVER=build/lib/libclip-emulated-cuda.so
//   export CLIPC_CUBLASLT=$CLIPC_CUDA_DRIVER
//   clip-run train ... --device cuda
//
// What it models, from the CUDA programming guide and the cuBLASLt
// reference rather than from our executor:
// - Memory: device and pinned host allocations are host memory; copies and
//   memsets are checked against the allocations they touch.
// - Streams: work queued on a stream runs only when something waits for it
//   (a synchronize, an event, a wait of another stream, a synchronous call),
//   so work that is ordered only by luck shows: a host buffer rewritten
//   before the copy that reads it was waited for, a stream that reads what
//   another has not been made to wait for. The legacy default stream (0)
//   waits for every stream. A query is a wait; a host function
//   (cuLaunchHostFunc, what the emulated NCCL queues its collectives as)
//   runs in stream order.
// - Events: recorded in stream order, with host time for elapsed time.
// - Graphs: a stream capture records work instead of running it, kernel
//   arguments copied at capture; a synchronous call during a capture fails
//   with CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED and invalidates it; a launch
//   of the instantiated graph replays the recorded work.
// - Modules: a CUDA unit is compiled as host C++ under
//   runtime/cuda/HostEmulation.h (cached by its text) through the one
//   extension, clipEmulatorLoadSource; kernels run as emulated launches
//   (CLIPC_EMULATE_BLOCK=N runs every 256-thread launch with N threads a
//   block: the device library's functions hold for any block size, and on
//   a small machine 256 threads a block cost minutes of barriers; the
//   warp-tiled kernels keep their own count). More than 48 KiB of dynamic
//   shared memory needs the function attribute, as on the device.
// - cuBLASLt: column-major D = alpha op(A) op(B) + beta C (+ bias), batched
//   by strides, f32 or bf16 storage, double accumulation, rounded once.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/EmulatedLaunch.h"
#include "runtime/kernels/KernelAbi.h"
#include "runtime/kernels/ScalarMath.h"

#include <cublasLt.h>
#include <cuda.h>
#include <dlfcn.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

using clip::cuda::emulation::BoundKernel;
using Work = std::function<void()>;

struct Graph {
  std::vector<Work> work;
  bool invalid = false;
};

struct Stream {
  std::deque<std::pair<uint64_t, Work>> queue;
  uint64_t queued = 0, done = 0;
  Graph *capture = nullptr;
};

struct Event {
  Stream *stream = nullptr;
  uint64_t position = 0; ///< the recording's place in its stream
  double time = 0;
  bool complete = true;
};

struct Module {
  void *handle = nullptr;
};

struct Function {
  BoundKernel (*bind)(void *const *) = nullptr;
  std::string name;
  int maxShared = 48 << 10;
};

struct Allocation {
  size_t bytes;
  bool pinned;
};

/// The one emulated device and its context: the driver's global state.
struct Device {
  Stream legacy; // stream 0
  std::set<Stream *> streams;
  std::map<uintptr_t, Allocation> allocations;
  int capturing = 0;
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();

  Stream &of(CUstream s) { return s ? *reinterpret_cast<Stream *>(s) : legacy; }
  void drain(Stream &s, uint64_t upTo) {
    while (s.done < upTo && !s.queue.empty()) {
      auto [position, work] = std::move(s.queue.front());
      s.queue.pop_front();
      work();
      s.done = position;
    }
  }
  void drainAll() {
    for (Stream *s : streams)
      drain(*s, s->queued);
    drain(legacy, legacy.queued);
  }
  /// Queues `work` on `s` (or records it into the capture).
  CUresult enqueue(CUstream handle, Work work) {
    Stream &s = of(handle);
    if (s.capture) {
      s.capture->work.push_back(std::move(work));
      return CUDA_SUCCESS;
    }
    if (&s == &legacy) { // the legacy stream waits for every stream
      if (capturing)
        return failCapture();
      drainAll();
      work();
      return CUDA_SUCCESS;
    }
    s.queue.emplace_back(++s.queued, std::move(work));
    return CUDA_SUCCESS;
  }
  /// A call that synchronizes with the device: illegal while a stream is
  /// being captured (cudaStreamCaptureModeGlobal), which it invalidates.
  CUresult failCapture() {
    for (Stream *s : streams)
      if (s->capture)
        s->capture->invalid = true;
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  }
  CUresult synchronous() {
    if (capturing)
      return failCapture();
    drainAll();
    return CUDA_SUCCESS;
  }
  /// Whether [p, p + bytes) lies in one allocation (device or pinned).
  bool inside(uintptr_t p, size_t bytes, bool pinned) const {
    auto it = allocations.upper_bound(p);
    if (it == allocations.begin())
      return false;
    --it;
    return it->second.pinned == pinned &&
           p + bytes <= it->first + it->second.bytes;
  }
  double now() const {
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now() - start)
        .count();
  }
};

Device &device() {
  static Device d;
  return d;
}

std::filesystem::path cacheDirectory() {
  if (const char *dir = std::getenv("CLIPC_CACHE_DIR"); dir && *dir)
    return std::filesystem::path(dir) / "emulated";
  return std::filesystem::temp_directory_path() / "clipc-emulated";
}

unsigned blockOverride() {
  const char *value = std::getenv("CLIPC_EMULATE_BLOCK");
  const int block = value ? std::atoi(value) : 0;
  return block >= 1 && block <= 1024 ? static_cast<unsigned>(block) : 0;
}

/// FNV-1a, for the compile cache's key.
uint64_t hashOf(const std::string &text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text)
    h = (h ^ c) * 1099511628211ull;
  return h;
}

} // namespace

extern "C" {

/// For the emulated NCCL (EmulatedNccl.cpp), which takes device buffers as
/// NCCL does: whether [p, p + bytes) lies in one device allocation.
__attribute__((visibility("default"))) int
clipEmulatorIsDeviceMemory(CUdeviceptr p, size_t bytes) {
  return device().inside(p, bytes, false) ? 1 : 0;
}

/// The extension: loads a CUDA unit's source (what NVRTC would compile).
/// The executor calls it when the driver it loaded has it.
__attribute__((visibility("default"))) CUresult
clipEmulatorLoadSource(CUmodule *module, const char *source, const char *name) {
  const std::string text = source;
  std::string wrappers;
  static const std::regex kernel(R"(extern "C" __global__ void (\w+)\()");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kernel);
       it != std::sregex_iterator(); ++it)
    wrappers += "extern \"C\" clip::cuda::emulation::BoundKernel clip_bind_" +
                (*it)[1].str() +
                "(void *const *args) { return clip::cuda::emulation::bind("
                "clip_emulated::" +
                (*it)[1].str() + ", args); }\n";
  if (text.find("long long clip_error[") != std::string::npos)
    wrappers += "extern \"C\" void *clip_global_clip_error(size_t *bytes) { "
                "*bytes = sizeof clip_emulated::clip_error; return "
                "clip_emulated::clip_error; }\n";
  // The unit spells int64_t itself (NVRTC has no <cstdint>), so it goes
  // into a namespace of its own; the device library is included first, so
  // the unit's copy of it is skipped by its include guards.
  const std::string unit = "#include \"runtime/cuda/HostEmulation.h\"\n"
                           "#include \"runtime/cuda/CudaKernels.cuh\"\n"
                           "namespace clip_emulated {\n" +
                           text + "\n} // namespace clip_emulated\n" + wrappers;
  const std::string flags = "-std=c++17 -O1 -shared -fPIC -w";
  const std::filesystem::path dir = cacheDirectory();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string key = std::to_string(hashOf(unit + flags));
  const std::filesystem::path so = dir / (key + ".so");
  if (!std::filesystem::exists(so)) {
    const std::filesystem::path cpp =
        dir / (key + "-" + std::to_string(::getpid()) + ".cpp");
    std::ofstream(cpp) << unit;
    const std::filesystem::path partial =
        dir / (key + "-" + std::to_string(::getpid()) + ".so");
    const std::string command = "c++ " + flags + " -I" CLIPC_SOURCE_DIR " " +
                                cpp.string() + " -o " + partial.string() +
                                " -lpthread";
    const int rc = std::system(command.c_str());
    std::filesystem::remove(cpp, ec);
    if (rc != 0) {
      std::fprintf(stderr,
                   "clip emulated CUDA: the host compiler failed on "
                   "%s: %s\n",
                   name, command.c_str());
      return CUDA_ERROR_INVALID_SOURCE;
    }
    std::filesystem::rename(partial, so, ec);
  }
  void *handle = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    std::fprintf(stderr, "clip emulated CUDA: %s\n", dlerror());
    return CUDA_ERROR_INVALID_IMAGE;
  }
  *module = reinterpret_cast<CUmodule>(new Module{handle});
  return CUDA_SUCCESS;
}

CUresult cuInit(unsigned int) { return CUDA_SUCCESS; }
// CLIPC_EMULATED_GPUS=N (default 1): the machine has N GPUs, each this one
// emulated device (ranks of an mpirun job on one machine each take the GPU
// of their local rank).
int emulatedDevices() {
  const char *value = std::getenv("CLIPC_EMULATED_GPUS");
  const int n = value ? std::atoi(value) : 1;
  return n > 0 ? n : 1;
}
CUresult cuDeviceGetCount(int *count) {
  *count = emulatedDevices();
  return CUDA_SUCCESS;
}
CUresult cuDeviceGet(CUdevice *d, int ordinal) {
  if (ordinal < 0 || ordinal >= emulatedDevices())
    return CUDA_ERROR_INVALID_DEVICE;
  *d = ordinal;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetName(char *name, int length, CUdevice) {
  std::snprintf(name, length, "clipc host emulator");
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetAttribute(int *value, CUdevice_attribute attribute,
                              CUdevice) {
  // An sm_90 part, so that the executor's choices are the H100/H200 ones
  // (the module itself always comes from source here).
  switch (attribute) {
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR:
    *value = 9;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR:
    *value = 0;
    return CUDA_SUCCESS;
  default:
    *value = 0;
    return CUDA_SUCCESS;
  }
}
CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice) {
  *context = reinterpret_cast<CUcontext>(&device());
  return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRelease(CUdevice) { return CUDA_SUCCESS; }
CUresult cuCtxSetCurrent(CUcontext) { return CUDA_SUCCESS; }
CUresult cuCtxSynchronize() { return device().synchronous(); }

CUresult cuModuleLoadData(CUmodule *, const void *) {
  // A cubin cannot run here; the executor loads source through
  // clipEmulatorLoadSource.
  return CUDA_ERROR_NO_BINARY_FOR_GPU;
}
CUresult cuModuleUnload(CUmodule module) {
  delete reinterpret_cast<Module *>(module);
  // The handle stays open: bound kernels still queued may run its code.
  return CUDA_SUCCESS;
}
CUresult cuModuleGetFunction(CUfunction *function, CUmodule module,
                             const char *name) {
  void *symbol = dlsym(reinterpret_cast<Module *>(module)->handle,
                       (std::string("clip_bind_") + name).c_str());
  if (!symbol)
    return CUDA_ERROR_NOT_FOUND;
  auto *f = new Function;
  f->bind = reinterpret_cast<BoundKernel (*)(void *const *)>(symbol);
  f->name = name;
  *function = reinterpret_cast<CUfunction>(f);
  return CUDA_SUCCESS;
}
CUresult cuModuleGetGlobal(CUdeviceptr *pointer, size_t *bytes, CUmodule module,
                           const char *name) {
  void *symbol = dlsym(reinterpret_cast<Module *>(module)->handle,
                       (std::string("clip_global_") + name).c_str());
  if (!symbol)
    return CUDA_ERROR_NOT_FOUND;
  size_t size = 0;
  void *address = reinterpret_cast<void *(*)(size_t *)>(symbol)(&size);
  device().allocations[reinterpret_cast<uintptr_t>(address)] = {size, false};
  if (pointer)
    *pointer = reinterpret_cast<CUdeviceptr>(address);
  if (bytes)
    *bytes = size;
  return CUDA_SUCCESS;
}
CUresult cuFuncSetAttribute(CUfunction function, CUfunction_attribute attribute,
                            int value) {
  if (attribute != CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)
    return CUDA_SUCCESS;
  if (value < 0 || value > 227 << 10) // sm_90's most per block
    return CUDA_ERROR_INVALID_VALUE;
  reinterpret_cast<Function *>(function)->maxShared = value;
  return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(CUfunction function, unsigned gridX, unsigned gridY,
                        unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned shared, CUstream stream,
                        void **params, void **extra) {
  auto *f = reinterpret_cast<Function *>(function);
  if (!f || extra || gridY != 1 || gridZ != 1 || blockY != 1 || blockZ != 1)
    return CUDA_ERROR_NOT_SUPPORTED; // one-dimensional launches only
  if (gridX == 0 || blockX == 0 || blockX > 1024)
    return CUDA_ERROR_INVALID_VALUE;
  if (static_cast<int>(shared) > f->maxShared)
    return CUDA_ERROR_INVALID_VALUE;
  std::shared_ptr<BoundKernel> bound(new BoundKernel(f->bind(params)),
                                     [](BoundKernel *b) {
                                       b->release(b->state);
                                       delete b;
                                     });
  // The override is for the library's any-block-size functions (launched
  // with kCudaBlock threads); warp-tiled kernels need their own count.
  const unsigned block = blockOverride() && blockX == clip::kernels::kCudaBlock
                             ? blockOverride()
                             : blockX;
  return device().enqueue(stream, [bound, gridX, block] {
    bound->run(bound->state, gridX, block);
  });
}

CUresult cuMemAlloc(CUdeviceptr *pointer, size_t bytes) {
  if (device().capturing)
    return device().failCapture();
  void *p = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!p)
    return CUDA_ERROR_OUT_OF_MEMORY;
  device().allocations[reinterpret_cast<uintptr_t>(p)] = {bytes, false};
  *pointer = reinterpret_cast<CUdeviceptr>(p);
  return CUDA_SUCCESS;
}
CUresult cuMemFree(CUdeviceptr pointer) {
  Device &d = device();
  if (CUresult rc = d.synchronous(); rc != CUDA_SUCCESS)
    return rc;
  auto it = d.allocations.find(static_cast<uintptr_t>(pointer));
  if (it == d.allocations.end() || it->second.pinned)
    return CUDA_ERROR_INVALID_VALUE;
  d.allocations.erase(it);
  std::free(reinterpret_cast<void *>(pointer));
  return CUDA_SUCCESS;
}
CUresult cuMemAllocHost(void **pointer, size_t bytes) {
  void *p = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!p)
    return CUDA_ERROR_OUT_OF_MEMORY;
  device().allocations[reinterpret_cast<uintptr_t>(p)] = {bytes, true};
  *pointer = p;
  return CUDA_SUCCESS;
}
CUresult cuMemFreeHost(void *pointer) {
  Device &d = device();
  if (CUresult rc = d.synchronous(); rc != CUDA_SUCCESS)
    return rc;
  auto it = d.allocations.find(reinterpret_cast<uintptr_t>(pointer));
  if (it == d.allocations.end() || !it->second.pinned)
    return CUDA_ERROR_INVALID_VALUE;
  d.allocations.erase(it);
  std::free(pointer);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoDAsync(CUdeviceptr dst, const void *src, size_t bytes,
                           CUstream stream) {
  Device &d = device();
  if (!d.inside(dst, bytes, false))
    return CUDA_ERROR_INVALID_VALUE;
  if (d.inside(reinterpret_cast<uintptr_t>(src), bytes, true))
    return d.enqueue(stream, [dst, src, bytes] { // read when it runs
      std::memcpy(reinterpret_cast<void *>(dst), src, bytes);
    });
  // From pageable memory the driver stages the bytes before returning, so
  // the caller may reuse its buffer at once.
  auto staged = std::make_shared<std::vector<char>>(
      static_cast<const char *>(src), static_cast<const char *>(src) + bytes);
  return d.enqueue(stream, [dst, staged] {
    std::memcpy(reinterpret_cast<void *>(dst), staged->data(), staged->size());
  });
}
CUresult cuMemcpyDtoHAsync(void *dst, CUdeviceptr src, size_t bytes,
                           CUstream stream) {
  Device &d = device();
  if (!d.inside(src, bytes, false))
    return CUDA_ERROR_INVALID_VALUE;
  const CUresult rc = d.enqueue(stream, [dst, src, bytes] {
    std::memcpy(dst, reinterpret_cast<const void *>(src), bytes);
  });
  // Into pageable memory the call returns once the copy is done.
  if (rc == CUDA_SUCCESS && !d.of(stream).capture &&
      !d.inside(reinterpret_cast<uintptr_t>(dst), bytes, true)) {
    Stream &s = d.of(stream);
    d.drain(s, s.queued);
  }
  return rc;
}
CUresult cuMemcpyDtoDAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                           CUstream stream) {
  if (!device().inside(dst, bytes, false) ||
      !device().inside(src, bytes, false))
    return CUDA_ERROR_INVALID_VALUE;
  return device().enqueue(stream, [dst, src, bytes] {
    std::memmove(reinterpret_cast<void *>(dst),
                 reinterpret_cast<const void *>(src), bytes);
  });
}
CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char value, size_t bytes,
                         CUstream stream) {
  if (!device().inside(dst, bytes, false))
    return CUDA_ERROR_INVALID_VALUE;
  return device().enqueue(stream, [dst, value, bytes] {
    std::memset(reinterpret_cast<void *>(dst), value, bytes);
  });
}
CUresult cuMemcpyHtoD(CUdeviceptr dst, const void *src, size_t bytes) {
  if (CUresult rc = device().synchronous(); rc != CUDA_SUCCESS)
    return rc;
  return cuMemcpyHtoDAsync(dst, src, bytes, nullptr);
}
CUresult cuMemcpyDtoH(void *dst, CUdeviceptr src, size_t bytes) {
  if (CUresult rc = device().synchronous(); rc != CUDA_SUCCESS)
    return rc;
  return cuMemcpyDtoHAsync(dst, src, bytes, nullptr);
}
CUresult cuMemsetD8(CUdeviceptr dst, unsigned char value, size_t bytes) {
  if (CUresult rc = device().synchronous(); rc != CUDA_SUCCESS)
    return rc;
  return cuMemsetD8Async(dst, value, bytes, nullptr);
}

CUresult cuStreamCreate(CUstream *stream, unsigned int) {
  auto *s = new Stream;
  device().streams.insert(s);
  *stream = reinterpret_cast<CUstream>(s);
  return CUDA_SUCCESS;
}
CUresult cuStreamDestroy(CUstream stream) {
  Device &d = device();
  Stream &s = d.of(stream);
  d.drain(s, s.queued); // destroying a stream lets its work finish
  d.streams.erase(&s);
  delete &s;
  return CUDA_SUCCESS;
}
CUresult cuStreamSynchronize(CUstream stream) {
  Device &d = device();
  if (d.capturing)
    return d.failCapture();
  Stream &s = d.of(stream);
  if (&s == &d.legacy)
    d.drainAll();
  else
    d.drain(s, s.queued);
  return CUDA_SUCCESS;
}
// The emulated device runs a stream's work when something waits for it; a
// query is such a wait (so a polling loop ends, and the work ran in order).
CUresult cuStreamQuery(CUstream stream) { return cuStreamSynchronize(stream); }
// A host function runs in stream order, after the work queued before it.
CUresult cuLaunchHostFunc(CUstream stream, CUhostFn fn, void *userData) {
  return device().enqueue(stream, [fn, userData] { fn(userData); });
}

CUresult cuEventCreate(CUevent *event, unsigned int) {
  *event = reinterpret_cast<CUevent>(new Event);
  return CUDA_SUCCESS;
}
CUresult cuEventDestroy(CUevent event) {
  delete reinterpret_cast<Event *>(event);
  return CUDA_SUCCESS;
}
CUresult cuEventRecord(CUevent event, CUstream stream) {
  Device &d = device();
  auto *e = reinterpret_cast<Event *>(event);
  Stream &s = d.of(stream);
  if (s.capture) // an event record node: the time is the replay's
    return d.enqueue(stream, [e, &d] { e->time = d.now(); });
  e->complete = false;
  const CUresult rc = d.enqueue(stream, [e, &d] {
    e->time = d.now();
    e->complete = true;
  });
  e->stream = &s;
  e->position = &s == &d.legacy ? 0 : s.queued;
  return rc;
}
CUresult cuEventSynchronize(CUevent event) {
  Device &d = device();
  if (d.capturing)
    return d.failCapture();
  auto *e = reinterpret_cast<Event *>(event);
  if (e->stream && e->position)
    d.drain(*e->stream, e->position);
  return CUDA_SUCCESS;
}
CUresult cuStreamWaitEvent(CUstream stream, CUevent event, unsigned int) {
  Device &d = device();
  auto *e = reinterpret_cast<Event *>(event);
  Stream *source = e->stream;
  const uint64_t position = e->position;
  if (d.of(stream).capture && source != &d.of(stream))
    return CUDA_ERROR_NOT_SUPPORTED; // cross-stream capture: not modelled
  return d.enqueue(stream, [&d, source, position] {
    if (source && position)
      d.drain(*source, position);
  });
}
CUresult cuEventElapsedTime(float *ms, CUevent start, CUevent end) {
  auto *a = reinterpret_cast<Event *>(start),
       *b = reinterpret_cast<Event *>(end);
  if (!a->complete || !b->complete)
    return CUDA_ERROR_NOT_READY;
  *ms = static_cast<float>(b->time - a->time);
  return CUDA_SUCCESS;
}

CUresult cuStreamBeginCapture(CUstream stream, CUstreamCaptureMode) {
  Device &d = device();
  Stream &s = d.of(stream);
  if (&s == &d.legacy)
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  if (s.capture)
    return CUDA_ERROR_ILLEGAL_STATE;
  s.capture = new Graph;
  ++d.capturing;
  return CUDA_SUCCESS;
}
CUresult cuStreamEndCapture(CUstream stream, CUgraph *graph) {
  Device &d = device();
  Stream &s = d.of(stream);
  if (!s.capture)
    return CUDA_ERROR_ILLEGAL_STATE;
  Graph *g = s.capture;
  s.capture = nullptr;
  --d.capturing;
  if (g->invalid) {
    delete g;
    *graph = nullptr;
    return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
  }
  *graph = reinterpret_cast<CUgraph>(g);
  return CUDA_SUCCESS;
}
CUresult cuGraphInstantiate(CUgraphExec *exec, CUgraph graph,
                            unsigned long long) {
  *exec = reinterpret_cast<CUgraphExec>(
      new Graph(*reinterpret_cast<Graph *>(graph)));
  return CUDA_SUCCESS;
}
CUresult cuGraphLaunch(CUgraphExec exec, CUstream stream) {
  auto *g = reinterpret_cast<Graph *>(exec);
  return device().enqueue(stream, [g] {
    for (Work &w : g->work)
      w();
  });
}
CUresult cuGraphDestroy(CUgraph graph) {
  delete reinterpret_cast<Graph *>(graph);
  return CUDA_SUCCESS;
}
CUresult cuGraphExecDestroy(CUgraphExec exec) {
  delete reinterpret_cast<Graph *>(exec);
  return CUDA_SUCCESS;
}

CUresult cuGetErrorName(CUresult rc, const char **name) {
  switch (rc) {
#define CLIP_NAME(x)                                                           \
  case x:                                                                      \
    *name = #x;                                                                \
    return CUDA_SUCCESS;
    CLIP_NAME(CUDA_SUCCESS)
    CLIP_NAME(CUDA_ERROR_INVALID_VALUE)
    CLIP_NAME(CUDA_ERROR_OUT_OF_MEMORY)
    CLIP_NAME(CUDA_ERROR_INVALID_DEVICE)
    CLIP_NAME(CUDA_ERROR_NO_BINARY_FOR_GPU)
    CLIP_NAME(CUDA_ERROR_INVALID_SOURCE)
    CLIP_NAME(CUDA_ERROR_INVALID_IMAGE)
    CLIP_NAME(CUDA_ERROR_NOT_FOUND)
    CLIP_NAME(CUDA_ERROR_NOT_READY)
    CLIP_NAME(CUDA_ERROR_ILLEGAL_STATE)
    CLIP_NAME(CUDA_ERROR_NOT_SUPPORTED)
    CLIP_NAME(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED)
    CLIP_NAME(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED)
#undef CLIP_NAME
  default:
    *name = "CUDA_ERROR_UNKNOWN";
    return CUDA_ERROR_INVALID_VALUE;
  }
}
CUresult cuGetErrorString(CUresult rc, const char **text) {
  switch (rc) {
  case CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED:
    *text = "operation not permitted when stream is capturing";
    return CUDA_SUCCESS;
  case CUDA_ERROR_NOT_SUPPORTED:
    *text = "operation not supported by the host emulator";
    return CUDA_SUCCESS;
  default:
    *text = "(host emulator)";
    return CUDA_SUCCESS;
  }
}

} // extern "C"

//===----------------------------------------------------------------------===//
// cuBLASLt
//===----------------------------------------------------------------------===//

namespace {

struct MatmulDesc {
  cublasComputeType_t compute;
  cudaDataType_t scale;
  cublasOperation_t transa = CUBLAS_OP_N, transb = CUBLAS_OP_N;
  cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  const void *bias = nullptr;
  int biasType = -1; // default: D's type
};

struct Layout {
  cudaDataType_t type;
  uint64_t rows, cols;
  int64_t ld;
  int32_t batch = 1;
  int64_t stride = 0;
};

double loadValue(const void *p, cudaDataType_t type, int64_t i) {
  if (type == CUDA_R_16BF)
    return static_cast<float>(static_cast<const clip::bf16 *>(p)[i]);
  return static_cast<const float *>(p)[i];
}

void storeValue(void *p, cudaDataType_t type, int64_t i, double v) {
  if (type == CUDA_R_16BF)
    static_cast<clip::bf16 *>(p)[i] = static_cast<float>(v);
  else
    static_cast<float *>(p)[i] = static_cast<float>(v);
}

bool storable(cudaDataType_t type) {
  return type == CUDA_R_32F || type == CUDA_R_16BF;
}

template <class T>
cublasStatus_t setAttribute(T &field, const void *buf, size_t size) {
  if (size != sizeof(T))
    return CUBLAS_STATUS_INVALID_VALUE;
  std::memcpy(&field, buf, sizeof(T));
  return CUBLAS_STATUS_SUCCESS;
}

} // namespace

extern "C" {

cublasStatus_t cublasLtCreate(cublasLtHandle_t *handle) {
  *handle = reinterpret_cast<cublasLtHandle_t>(new int(0));
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtDestroy(cublasLtHandle_t handle) {
  delete reinterpret_cast<int *>(handle);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *desc,
                                        cublasComputeType_t compute,
                                        cudaDataType_t scale) {
  if (compute != CUBLAS_COMPUTE_32F || scale != CUDA_R_32F)
    return CUBLAS_STATUS_NOT_SUPPORTED; // what the emulator models
  *desc =
      reinterpret_cast<cublasLtMatmulDesc_t>(new MatmulDesc{compute, scale});
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t desc) {
  delete reinterpret_cast<MatmulDesc *>(desc);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t
cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t handle,
                               cublasLtMatmulDescAttributes_t attribute,
                               const void *buf, size_t size) {
  auto &d = *reinterpret_cast<MatmulDesc *>(handle);
  switch (attribute) {
  case CUBLASLT_MATMUL_DESC_TRANSA:
    return setAttribute(d.transa, buf, size);
  case CUBLASLT_MATMUL_DESC_TRANSB:
    return setAttribute(d.transb, buf, size);
  case CUBLASLT_MATMUL_DESC_EPILOGUE:
    if (setAttribute(d.epilogue, buf, size) != CUBLAS_STATUS_SUCCESS)
      return CUBLAS_STATUS_INVALID_VALUE;
    return d.epilogue == CUBLASLT_EPILOGUE_DEFAULT ||
                   d.epilogue == CUBLASLT_EPILOGUE_BIAS
               ? CUBLAS_STATUS_SUCCESS
               : CUBLAS_STATUS_NOT_SUPPORTED;
  case CUBLASLT_MATMUL_DESC_BIAS_POINTER:
    return setAttribute(d.bias, buf, size);
  case CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE:
    return setAttribute(d.biasType, buf, size);
  default:
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
}
cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *layout,
                                          cudaDataType type, uint64_t rows,
                                          uint64_t cols, int64_t ld) {
  // Column-major: the leading dimension holds a column.
  if (!storable(type) || ld < static_cast<int64_t>(rows))
    return CUBLAS_STATUS_INVALID_VALUE;
  *layout = reinterpret_cast<cublasLtMatrixLayout_t>(
      new Layout{type, rows, cols, ld});
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t layout) {
  delete reinterpret_cast<Layout *>(layout);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t
cublasLtMatrixLayoutSetAttribute(cublasLtMatrixLayout_t handle,
                                 cublasLtMatrixLayoutAttribute_t attribute,
                                 const void *buf, size_t size) {
  auto &l = *reinterpret_cast<Layout *>(handle);
  switch (attribute) {
  case CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT:
    return setAttribute(l.batch, buf, size);
  case CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET:
    return setAttribute(l.stride, buf, size);
  default:
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
}
cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *p) {
  *p = reinterpret_cast<cublasLtMatmulPreference_t>(new int(0));
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t p) {
  delete reinterpret_cast<int *>(p);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t
cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t,
                                     cublasLtMatmulPreferenceAttributes_t,
                                     const void *, size_t) {
  return CUBLAS_STATUS_SUCCESS;
}

/// Whether D(m x n) = op(A) op(B) fits the layouts: the problem is checked
/// where cuBLASLt checks it, when an algorithm is asked for and when run.
static bool consistent(const MatmulDesc &d, const Layout &a, const Layout &b,
                       const Layout &c, const Layout &dl) {
  const uint64_t m = dl.rows, n = dl.cols;
  const uint64_t am = d.transa == CUBLAS_OP_N ? a.rows : a.cols;
  const uint64_t ak = d.transa == CUBLAS_OP_N ? a.cols : a.rows;
  const uint64_t bk = d.transb == CUBLAS_OP_N ? b.rows : b.cols;
  const uint64_t bn = d.transb == CUBLAS_OP_N ? b.cols : b.rows;
  return am == m && bn == n && ak == bk && c.rows == m && c.cols == n &&
         a.batch == dl.batch && b.batch == dl.batch && c.batch == dl.batch &&
         c.type == dl.type;
}

cublasStatus_t cublasLtMatmulAlgoGetHeuristic(
    cublasLtHandle_t, cublasLtMatmulDesc_t desc, cublasLtMatrixLayout_t a,
    cublasLtMatrixLayout_t b, cublasLtMatrixLayout_t c,
    cublasLtMatrixLayout_t d, cublasLtMatmulPreference_t, int requested,
    cublasLtMatmulHeuristicResult_t results[], int *returned) {
  if (requested < 1)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (!consistent(
          *reinterpret_cast<MatmulDesc *>(desc), *reinterpret_cast<Layout *>(a),
          *reinterpret_cast<Layout *>(b), *reinterpret_cast<Layout *>(c),
          *reinterpret_cast<Layout *>(d)))
    return CUBLAS_STATUS_INVALID_VALUE;
  std::memset(&results[0], 0, sizeof results[0]);
  results[0].state = CUBLAS_STATUS_SUCCESS;
  results[0].wavesCount = 1;
  *returned = 1;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmul(cublasLtHandle_t, cublasLtMatmulDesc_t desc,
                              const void *alpha, const void *A,
                              cublasLtMatrixLayout_t aLayout, const void *B,
                              cublasLtMatrixLayout_t bLayout, const void *beta,
                              const void *C, cublasLtMatrixLayout_t cLayout,
                              void *D, cublasLtMatrixLayout_t dLayout,
                              const cublasLtMatmulAlgo_t *, void *, size_t,
                              cudaStream_t stream) {
  const MatmulDesc md = *reinterpret_cast<MatmulDesc *>(desc);
  const Layout a = *reinterpret_cast<Layout *>(aLayout),
               b = *reinterpret_cast<Layout *>(bLayout),
               c = *reinterpret_cast<Layout *>(cLayout),
               d = *reinterpret_cast<Layout *>(dLayout);
  if (!consistent(md, a, b, c, d))
    return CUBLAS_STATUS_INVALID_VALUE;
  if (md.epilogue == CUBLASLT_EPILOGUE_BIAS && !md.bias)
    return CUBLAS_STATUS_INVALID_VALUE;
  // Scalars are read when the call is made (host pointer mode).
  const double al = *static_cast<const float *>(alpha),
               be = *static_cast<const float *>(beta);
  const cudaDataType_t biasType =
      md.biasType < 0 ? d.type : static_cast<cudaDataType_t>(md.biasType);
  auto work = [=] {
    const int64_t m = d.rows, n = d.cols;
    const int64_t k = md.transa == CUBLAS_OP_N ? a.cols : a.rows;
    // op(A) as m rows of k and op(B) as n rows of k, widened once.
    std::vector<double> rowsA(m * k), rowsB(n * k);
    for (int32_t e = 0; e < d.batch; ++e) {
      for (int64_t i = 0; i < m; ++i)
        for (int64_t p = 0; p < k; ++p)
          rowsA[i * k + p] = loadValue(A, a.type,
                                       e * a.stride + (md.transa == CUBLAS_OP_N
                                                           ? i + p * a.ld
                                                           : p + i * a.ld));
      for (int64_t j = 0; j < n; ++j)
        for (int64_t p = 0; p < k; ++p)
          rowsB[j * k + p] = loadValue(B, b.type,
                                       e * b.stride + (md.transb == CUBLAS_OP_N
                                                           ? p + j * b.ld
                                                           : j + p * b.ld));
      for (int64_t j = 0; j < n; ++j)
        for (int64_t i = 0; i < m; ++i) {
          const double *x = &rowsA[i * k], *y = &rowsB[j * k];
          double sum = 0;
          for (int64_t p = 0; p < k; ++p)
            sum += x[p] * y[p];
          double value = al * sum;
          if (be != 0)
            value += be * loadValue(C, c.type, e * c.stride + i + j * c.ld);
          if (md.epilogue == CUBLASLT_EPILOGUE_BIAS)
            value += loadValue(md.bias, biasType, i);
          storeValue(D, d.type, e * d.stride + i + j * d.ld, value);
        }
    }
  };
  const CUresult rc =
      device().enqueue(reinterpret_cast<CUstream>(stream), work);
  return rc == CUDA_SUCCESS ? CUBLAS_STATUS_SUCCESS
                            : CUBLAS_STATUS_EXECUTION_FAILED;
}

const char *cublasLtGetStatusString(cublasStatus_t status) {
  switch (status) {
  case CUBLAS_STATUS_SUCCESS:
    return "CUBLAS_STATUS_SUCCESS";
  case CUBLAS_STATUS_INVALID_VALUE:
    return "CUBLAS_STATUS_INVALID_VALUE";
  case CUBLAS_STATUS_NOT_SUPPORTED:
    return "CUBLAS_STATUS_NOT_SUPPORTED";
  case CUBLAS_STATUS_EXECUTION_FAILED:
    return "CUBLAS_STATUS_EXECUTION_FAILED";
  default:
    return "CUBLAS_STATUS_(other)";
  }
}

} // extern "C"

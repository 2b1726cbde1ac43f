//===- EmulatedNccl.cpp - NCCL's collectives on the host, over MPI --------===//
//
// libclip-emulated-nccl.so: the subset of NCCL that runtime/dist calls, for
// the emulated CUDA driver (EmulatedCuda.cpp), so that data-parallel
// training on "GPUs" runs in CI under mpirun without one:
//
//   export CLIPC_CUDA_DRIVER=build/lib/libclip-emulated-cuda.so
//   export CLIPC_NCCL=build/lib/libclip-emulated-nccl.so
//
// What it models, from NCCL's documentation rather than from our callers:
// - Communicators: ncclCommInitRank is collective over the ranks that pass
//   the same ncclUniqueId, each with its rank; the ranks are the MPI
//   processes of the job (MPI_COMM_WORLD split by the id; every MPI process
//   must join one, which NCCL itself does not ask).
// - Buffers are device memory (checked with the emulated driver), counts in
//   elements of the datatype; f32 and f64, ncclSum. In place where NCCL
//   defines it: allReduce with send == recv, allGather with send ==
//   recv + rank * count, broadcast with send == recv.
// - Streams: a collective is queued on its stream (a host function, run in
//   stream order by the emulated driver) and returns at once; it completes
//   when the stream runs it, as it would on the device. Every rank must
//   queue the collectives of a communicator in the same order.
// - Groups: ncclGroupStart/End only nest (each collective is queued as it
//   is called, which is what a group of collectives on one communicator
//   and stream amounts to).
//
//===----------------------------------------------------------------------===//

#include <cuda.h>
#include <mpi.h>
#include <nccl.h>

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>

struct ncclComm {
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0, size = 1;
  const char *lastError = "";
};

namespace {

/// The emulated driver this process loaded (CLIPC_CUDA_DRIVER): NCCL is a
/// client of the driver it shares the process with.
struct Driver {
  CUresult (*launchHostFunc)(CUstream, CUhostFn, void *) = nullptr;
  int (*isDeviceMemory)(CUdeviceptr, size_t) = nullptr;
  Driver() {
    const char *path = std::getenv("CLIPC_CUDA_DRIVER");
    void *handle = path ? dlopen(path, RTLD_NOW | RTLD_NOLOAD) : nullptr;
    if (!handle)
      return;
    launchHostFunc = reinterpret_cast<decltype(launchHostFunc)>(
        dlsym(handle, "cuLaunchHostFunc"));
    isDeviceMemory = reinterpret_cast<decltype(isDeviceMemory)>(
        dlsym(handle, "clipEmulatorIsDeviceMemory"));
  }
  bool loaded() const { return launchHostFunc && isDeviceMemory; }
};

const Driver &driver() {
  static const Driver d;
  return d;
}

int groupDepth = 0;

MPI_Datatype mpiType(ncclDataType_t type) {
  switch (type) {
  case ncclFloat32:
    return MPI_FLOAT;
  case ncclFloat64:
    return MPI_DOUBLE;
  default:
    return MPI_DATATYPE_NULL;
  }
}

size_t typeSize(ncclDataType_t type) { return type == ncclFloat64 ? 8 : 4; }

bool onDevice(const void *p, size_t bytes) {
  return bytes == 0 ||
         driver().isDeviceMemory(reinterpret_cast<CUdeviceptr>(p), bytes);
}

/// Queues `work` on `stream` (it owns itself; run once, then deleted).
template <typename F>
ncclResult_t enqueue(ncclComm_t comm, cudaStream_t stream, F work) {
  if (!comm || comm->comm == MPI_COMM_NULL) {
    if (comm)
      comm->lastError = "the communicator was destroyed or aborted";
    return ncclInvalidArgument;
  }
  auto *task = new F(std::move(work));
  const CUresult rc = driver().launchHostFunc(
      reinterpret_cast<CUstream>(stream),
      [](void *p) {
        auto *t = static_cast<F *>(p);
        (*t)();
        delete t;
      },
      task);
  if (rc != CUDA_SUCCESS) {
    delete task;
    comm->lastError = "queueing on the stream failed";
    return ncclUnhandledCudaError;
  }
  return ncclSuccess;
}

/// The checks every collective makes before queueing.
ncclResult_t checkArguments(ncclComm_t comm, ncclDataType_t type,
                            ncclRedOp_t op, const void *send, size_t sendBytes,
                            const void *recv, size_t recvBytes) {
  if (!comm)
    return ncclInvalidArgument;
  if (mpiType(type) == MPI_DATATYPE_NULL || op != ncclSum) {
    comm->lastError = "the emulation has f32 and f64 sums only";
    return ncclInvalidArgument;
  }
  if (!onDevice(send, sendBytes) || !onDevice(recv, recvBytes)) {
    comm->lastError = "a buffer is not (all) device memory";
    return ncclInvalidArgument;
  }
  return ncclSuccess;
}

} // namespace

extern "C" {

#define CLIP_EXPORT __attribute__((visibility("default")))

CLIP_EXPORT ncclResult_t ncclGetVersion(int *version) {
  *version = NCCL_VERSION_CODE;
  return ncclSuccess;
}

CLIP_EXPORT ncclResult_t ncclGetUniqueId(ncclUniqueId *id) {
  std::random_device random;
  std::memset(id->internal, 0, sizeof id->internal);
  for (size_t i = 0; i < 16; ++i)
    id->internal[i] = static_cast<char>(random());
  return ncclSuccess;
}

CLIP_EXPORT ncclResult_t ncclCommInitRank(ncclComm_t *out, int nranks,
                                          ncclUniqueId id, int rank) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized || !driver().loaded())
    return ncclSystemError; // the emulation needs MPI and the emulated driver
  if (nranks < 1 || rank < 0 || rank >= nranks)
    return ncclInvalidArgument;
  // The id's first bytes pick the ranks that belong together.
  uint32_t color = 0;
  std::memcpy(&color, id.internal, sizeof color);
  auto *comm = new ncclComm;
  if (MPI_Comm_split(MPI_COMM_WORLD, static_cast<int>(color & 0x7fffffff), rank,
                     &comm->comm) != MPI_SUCCESS) {
    delete comm;
    return ncclSystemError;
  }
  MPI_Comm_rank(comm->comm, &comm->rank);
  MPI_Comm_size(comm->comm, &comm->size);
  if (comm->size != nranks || comm->rank != rank) {
    MPI_Comm_free(&comm->comm);
    delete comm;
    return ncclInvalidUsage; // ranks that disagree on the id or the count
  }
  *out = comm;
  return ncclSuccess;
}

CLIP_EXPORT ncclResult_t ncclCommDestroy(ncclComm_t comm) {
  if (!comm)
    return ncclInvalidArgument;
  if (comm->comm != MPI_COMM_NULL)
    MPI_Comm_free(&comm->comm);
  delete comm;
  return ncclSuccess;
}

CLIP_EXPORT ncclResult_t ncclCommAbort(ncclComm_t comm) {
  delete comm; // the MPI communicator is left to the job's end
  return ncclSuccess;
}

CLIP_EXPORT ncclResult_t ncclCommGetAsyncError(ncclComm_t comm,
                                               ncclResult_t *error) {
  if (!comm)
    return ncclInvalidArgument;
  *error = ncclSuccess;
  return ncclSuccess;
}

CLIP_EXPORT const char *ncclGetErrorString(ncclResult_t rc) {
  switch (rc) {
  case ncclSuccess:
    return "no error";
  case ncclUnhandledCudaError:
    return "unhandled cuda error (the emulated driver)";
  case ncclSystemError:
    return "unhandled system error (the emulation needs MPI initialized and "
           "the emulated CUDA driver loaded)";
  case ncclInvalidArgument:
    return "invalid argument";
  case ncclInvalidUsage:
    return "invalid usage";
  default:
    return "unknown result code";
  }
}

CLIP_EXPORT const char *ncclGetLastError(ncclComm_t comm) {
  return comm ? comm->lastError : "";
}

CLIP_EXPORT ncclResult_t ncclAllReduce(const void *send, void *recv,
                                       size_t count, ncclDataType_t type,
                                       ncclRedOp_t op, ncclComm_t comm,
                                       cudaStream_t stream) {
  const size_t bytes = count * typeSize(type);
  if (ncclResult_t rc =
          checkArguments(comm, type, op, send, bytes, recv, bytes))
    return rc;
  return enqueue(comm, stream, [=] {
    MPI_Allreduce(send == recv ? MPI_IN_PLACE : send, recv,
                  static_cast<int>(count), mpiType(type), MPI_SUM, comm->comm);
  });
}

CLIP_EXPORT ncclResult_t ncclAllGather(const void *send, void *recv,
                                       size_t count, ncclDataType_t type,
                                       ncclComm_t comm, cudaStream_t stream) {
  const size_t bytes = count * typeSize(type);
  if (ncclResult_t rc = checkArguments(comm, type, ncclSum, send, bytes, recv,
                                       bytes * (comm ? comm->size : 0)))
    return rc;
  const bool inPlace = static_cast<const char *>(send) ==
                       static_cast<char *>(recv) + comm->rank * bytes;
  return enqueue(comm, stream, [=] {
    MPI_Allgather(inPlace ? MPI_IN_PLACE : send, static_cast<int>(count),
                  mpiType(type), recv, static_cast<int>(count), mpiType(type),
                  comm->comm);
  });
}

CLIP_EXPORT ncclResult_t ncclReduceScatter(const void *send, void *recv,
                                           size_t count, ncclDataType_t type,
                                           ncclRedOp_t op, ncclComm_t comm,
                                           cudaStream_t stream) {
  const size_t bytes = count * typeSize(type);
  if (ncclResult_t rc = checkArguments(
          comm, type, op, send, bytes * (comm ? comm->size : 0), recv, bytes))
    return rc;
  return enqueue(comm, stream, [=] {
    MPI_Reduce_scatter_block(send, recv, static_cast<int>(count), mpiType(type),
                             MPI_SUM, comm->comm);
  });
}

CLIP_EXPORT ncclResult_t ncclBroadcast(const void *send, void *recv,
                                       size_t count, ncclDataType_t type,
                                       int root, ncclComm_t comm,
                                       cudaStream_t stream) {
  const size_t bytes = count * typeSize(type);
  const bool isRoot = comm && comm->rank == root;
  if (ncclResult_t rc =
          checkArguments(comm, type, ncclSum, isRoot ? send : nullptr,
                         isRoot ? bytes : 0, recv, bytes))
    return rc;
  if (root < 0 || root >= comm->size)
    return ncclInvalidArgument;
  return enqueue(comm, stream, [=] {
    if (isRoot && send != recv)
      std::memcpy(recv, send, bytes);
    MPI_Bcast(recv, static_cast<int>(count), mpiType(type), root, comm->comm);
  });
}

CLIP_EXPORT ncclResult_t ncclGroupStart() {
  ++groupDepth;
  return ncclSuccess;
}

CLIP_EXPORT ncclResult_t ncclGroupEnd() {
  if (groupDepth == 0)
    return ncclInvalidUsage;
  --groupDepth;
  return ncclSuccess;
}

} // extern "C"

//===- EmulatedLaunch.h - A kernel bound to its arguments (emulator ABI) --===//
//
// What a CUDA unit compiled for the host emulator (HostEmulation.h) hands
// the emulated driver (runtime/gpu/emulator) for one cuLaunchKernel: the
// kernel with its arguments copied, as the driver copies them (and a
// captured graph keeps them). Plain C, since it crosses from the unit's
// shared library into the driver's.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_EMULATEDLAUNCH_H
#define CLIP_RUNTIME_CUDA_EMULATEDLAUNCH_H

namespace clip::cuda::emulation {

struct BoundKernel {
  void *state = nullptr;
  /// Runs the kernel as a launch of `grid` blocks of `block` threads.
  void (*run)(void *state, unsigned grid, unsigned block) = nullptr;
  void (*release)(void *state) = nullptr;
};

} // namespace clip::cuda::emulation

#endif // CLIP_RUNTIME_CUDA_EMULATEDLAUNCH_H

# The CUDA device library as every generated CUDA unit carries it: these
# files' text, concatenated in this order (cmake/EmbedText.cmake) after
# `typedef long long int64_t;`. compiler/Target embeds it into clipc;
# test/unit/cuda compiles the same text with NVRTC and checks that
# CudaKernels.cuh (the host tests' umbrella) includes the runtime/cuda files
# in the same order. A family file may use only the files before it.
set(CLIP_CUDA_DEVICE_SOURCES
  ${PROJECT_SOURCE_DIR}/runtime/kernels/ScalarMath.h
  ${PROJECT_SOURCE_DIR}/runtime/kernels/KernelAbi.h
  ${PROJECT_SOURCE_DIR}/runtime/cuda/Common.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/Warp.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/Gemm.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/LayerNorm.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/LayerNormBf16.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/Attention.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/FlashAttention.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/ContrastiveLoss.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/TiledContrastiveLoss.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/SigmoidLoss.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/Convolution.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/BatchNorm.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/DataMovement.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/Reduction.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/Gather.cuh
  ${PROJECT_SOURCE_DIR}/runtime/cuda/Optimizer.cuh)

# Writes the library's text (the files above, concatenated) to OUTPUT as C++
# raw string literals, for `const char text[] = #include "OUTPUT";`: how
# clipc, and the blocks benchmark, carry it.
function(clip_embed_cuda_device_library output)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${output}
            "-DINPUTS=${CLIP_CUDA_DEVICE_SOURCES}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedText.cmake
    DEPENDS ${CLIP_CUDA_DEVICE_SOURCES} ${PROJECT_SOURCE_DIR}/cmake/EmbedText.cmake
    COMMENT "Embedding the CUDA device library"
    VERBATIM)
endfunction()

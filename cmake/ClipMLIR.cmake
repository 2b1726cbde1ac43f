# LLVM/MLIR 19 from Debian (/usr/lib/llvm-19), linked as the shared libMLIR.so
# / libLLVM.so, and the ClipMLIR interface target that hands their headers and
# definitions to the compiler's targets (and to no runtime target).
find_package(MLIR REQUIRED CONFIG HINTS /usr/lib/llvm-19/lib/cmake/mlir)
if(NOT LLVM_VERSION_MAJOR EQUAL 19)
  message(FATAL_ERROR "clipc needs LLVM/MLIR 19, found ${LLVM_PACKAGE_VERSION} "
                      "at ${MLIR_DIR}; install libmlir-19-dev (scripts/setup.sh), "
                      "or configure with -DCLIPC_BUILD_COMPILER=OFF for the runtime only")
endif()
message(STATUS "Using MLIR ${LLVM_PACKAGE_VERSION} from ${MLIR_DIR}")

# add_mlir_doc writes under ${MLIR_BINARY_DIR}/docs: keep it in our build tree.
set(MLIR_BINARY_DIR ${PROJECT_BINARY_DIR})
list(APPEND CMAKE_MODULE_PATH "${MLIR_CMAKE_DIR}" "${LLVM_CMAKE_DIR}")
include(TableGen)
include(AddLLVM)
include(AddMLIR)

separate_arguments(LLVM_DEFINITIONS_LIST NATIVE_COMMAND ${LLVM_DEFINITIONS})

# Dialect headers are included as "clip/IR/..."; generated ones (.inc) live in
# the build tree.
add_library(ClipMLIR INTERFACE)
target_include_directories(ClipMLIR SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
target_include_directories(ClipMLIR INTERFACE
  ${PROJECT_SOURCE_DIR}/dialects ${PROJECT_BINARY_DIR}/dialects ${PROJECT_BINARY_DIR})
target_compile_definitions(ClipMLIR INTERFACE ${LLVM_DEFINITIONS_LIST})
target_link_libraries(ClipMLIR INTERFACE MLIR LLVM)

# mlir_tablegen with the include paths our .td files need (tablegen reads
# only the directory's include paths, which we keep free of MLIR's).
function(clip_tablegen ofn)
  mlir_tablegen(${ofn} ${ARGN}
    EXTRA_INCLUDES ${MLIR_INCLUDE_DIRS} ${PROJECT_SOURCE_DIR}/dialects)
  set(TABLEGEN_OUTPUT ${TABLEGEN_OUTPUT} PARENT_SCOPE)
endfunction()

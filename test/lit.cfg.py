# lit configuration for clipc: FileCheck tests of the dialect, passes and tools.
import os
import shutil
import sys

import lit.formats
from lit.llvm import llvm_config

config.name = "clipc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir"]
config.excludes = ["CMakeLists.txt", "unit", "Inputs", "fuzz"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.clip_test_exec_root

config.substitutions.append(("%models", os.path.join(config.clip_source_root, "models")))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.clip_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["clip-opt", "clip-modelgen", "clip-ref", "clip-translate", "clipc", "clip-run"], [config.clip_tools_dir])
llvm_config.add_tool_substitutions(["FileCheck", "not", "count"], [config.llvm_tools_dir])
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%clip_src", config.clip_source_root))

# qemu-user runs clip-run as a CPU below clip.so's x86-64 level would.
if shutil.which("qemu-x86_64"):
    config.available_features.add("qemu-x86_64")

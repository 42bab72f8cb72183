// What the platform chooses about the kernels' data layouts, seen by the operators' emitters.
#pragma once

namespace deeploy {

// Choices of kernel data layouts the platform makes (Platform, CodegenOptions::kernels).
struct KernelChoices {
  // Constant int8 weights of NT products (Gemm, MatMul, RQGemm, RQMatMul with int8 or uint8 A) are stored
  // widened to int16 lane pairs in the order the kernels read them (runtime/kernels/matmul_nt16.h):
  // twice the bytes, no widening in the inner loops.
  bool int16Weights = false;
};

}  // namespace deeploy

// `deeploy quantize`: post-training quantization of a float network. Calibration runs the float graph
// in the reference interpreter and records each activation's range; the network is then written in
// onnxruntime's QDQ form (int8 activations with zero points from those ranges, int8 weights per output
// channel, int32 biases) and lowered by the compiler's own QDQ lowering (passes/qdq_lowering.h) into
// the integer dialect (RQConv, RQMatMul, RQGemm, RequantShift, ...), which is what OUT.onnx holds.
// The inputs stay float (a QuantizeLinear first) and so do the outputs (a DequantizeLinear last), so
// the file replaces the float model as it is; ops without an integer form stay float between a
// DequantizeLinear and a QuantizeLinear.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace deeploy {

struct QuantizeCommand {
  std::string model;
  std::string calibration;                // .npz: per graph input, samples stacked on a new first axis
  std::optional<std::string> validation;  // the same layout, only for the error report
  std::string output;
};

// How far one output of the quantized network is from the float network's over a set of samples.
struct OutputError {
  double maxAbs = 0, sumSquares = 0, floatMaxAbs = 0;
  int64_t count = 0;        // elements compared
  int64_t rows = 0;         // rows of the last axis (when it is longer than 1) ...
  int64_t argmaxAgree = 0;  // ... whose largest element is at the same place in both
  double rms() const;
};

struct QuantizeReport {
  Graph quantized;
  size_t calibrationSamples = 0, validationSamples = 0;
  std::vector<OutputError> calibration, validation;  // per output; validation empty without samples
};

// Quantizes, writes cmd.output and measures the error.
QuantizeReport quantizeModel(const QuantizeCommand& cmd);

// quantizeModel, then prints the written model's ops and, per output, the error on both sets.
int runQuantize(const QuantizeCommand& cmd);

}  // namespace deeploy
